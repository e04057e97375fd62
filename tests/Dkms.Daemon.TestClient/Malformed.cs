using Grpc.Core;
using Grpc.Net.Client;

namespace Dkms.Daemon.TestClient;

/// <summary>Requests whose message does not parse, sent as raw bytes: prints the status of the unary calls, of a streaming one and of reflection.</summary>
internal static class Malformed
{
    private static readonly byte[] Garbage = [0x0a, 0xff, 0x01, 0x41]; // field 1, length 255, then one byte

    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);

    public static async Task<string> RunAsync(GrpcChannel channel, DateTime deadline)
    {
        var invoker = channel.CreateCallInvoker();
        var codes = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 20; i++)
        {
            codes.Add(await StatusOfAsync(async () =>
                await invoker.AsyncUnaryCall(Method(MethodType.Unary, "dkms.v1.Dkms", "Status"), null, new CallOptions(deadline: deadline), Garbage)));
        }

        var streaming = await StatusOfAsync(async () =>
        {
            using var call = invoker.AsyncServerStreamingCall(Method(MethodType.ServerStreaming, "dkms.v1.Dkms", "Build"), null,
                new CallOptions(deadline: deadline), Garbage);
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });

        var reflection = await StatusOfAsync(async () =>
        {
            using var call = invoker.AsyncDuplexStreamingCall(Method(MethodType.DuplexStreaming, "grpc.reflection.v1.ServerReflection",
                "ServerReflectionInfo"), null, new CallOptions(deadline: deadline));
            await call.RequestStream.WriteAsync(Garbage);
            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });

        return $"{string.Join(',', codes)} {streaming} {reflection}";
    }

    private static Method<byte[], byte[]> Method(MethodType type, string service, string name) => new(type, service, name, Raw, Raw);

    private static async Task<string> StatusOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return "OK";
        }
        catch (RpcException e)
        {
            return e.StatusCode.ToString();
        }
    }
}
