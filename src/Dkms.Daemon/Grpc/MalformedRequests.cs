using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Dkms.Daemon.Authorization;
using Google.Protobuf;
using HealthService = Grpc.Health.V1.Health;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Dkms.Daemon.Grpc;

/// <summary>
/// Refuses a request whose message does not parse with INVALID_ARGUMENT, before gRPC sees it, and says so in one
/// rate-limited journal line. grpc-dotnet deserializes a unary or server-streaming request outside the interceptors
/// and answers a bad one with UNKNOWN and two stack traces (Information and Error): any local user could flood the
/// journal with them. Every dkms.v1 and health method takes exactly one message, so the check reads the whole body
/// (bounded by <see cref="GrpcServiceCollectionExtensions.MaxRequestBytes"/>) and hands the same bytes on.
/// </summary>
internal sealed class MalformedRequests(TimeProvider time, ILogger<MalformedRequests> logger)
{
    private const int PrefixBytes = 5; // gRPC's length-prefixed message: a compressed flag, then the length (big-endian)
    private const int InvalidArgument = 3;
    private const int ResourceExhausted = 8;
    private static readonly TimeSpan LogEvery = TimeSpan.FromMinutes(1);

    /// <summary>The parser of each single-message method, by request path (<c>/dkms.v1.Dkms/Status</c>).</summary>
    private static readonly Dictionary<string, MessageParser> Parsers = BuildParsers(Protocol.V1.Dkms.Descriptor, HealthService.Descriptor);

    private readonly Lock _gate = new();
    private DateTimeOffset _lastLogged = DateTimeOffset.MinValue;
    private int _unlogged;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true
            || !Parsers.TryGetValue(request.Path.Value ?? string.Empty, out var parser))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var body = await ReadBoundedAsync(request.BodyReader, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            // What gRPC itself answers beyond MaxReceiveMessageSize, without reading the rest.
            await RefuseAsync(context, ResourceExhausted, "Received message exceeds the maximum configured message size.").ConfigureAwait(false);
            return;
        }

        if (Problem(body, request.Headers["grpc-encoding"].ToString(), parser) is { } problem)
        {
            Report(context, problem);
            await RefuseAsync(context, InvalidArgument, $"Malformed request: {problem}.").ConfigureAwait(false);
            return;
        }

        request.Body = new MemoryStream(body, writable: false); // gRPC reads the same bytes (BodyReader follows Body)
        await next(context).ConfigureAwait(false);
    }

    /// <summary>For the streaming-request methods (reflection), whose messages are read inside the interceptors.</summary>
    public void Report(string method, string problem) => Log(method, problem, null);

    private void Report(HttpContext context, string problem) =>
        Log(context.Request.Path.Value ?? string.Empty, problem, context.Features.Get<IPeerCredentialsFeature>()?.Credentials?.Uid);

    private void Log(string method, string problem, uint? uid)
    {
        int skipped;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (now - _lastLogged < LogEvery)
            {
                _unlogged++;
                return;
            }

            _lastLogged = now; // one line a minute, however many arrive
            skipped = _unlogged;
            _unlogged = 0;
        }

        GrpcLog.MalformedRequest(logger, method, uid is { } u ? u.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?", problem, skipped);
    }

    /// <summary>Why the body is not one well-formed message of the method, or null when it is.</summary>
    internal static string? Problem(byte[] body, string encoding, MessageParser parser)
    {
        if (body.Length < PrefixBytes)
        {
            return "incomplete message prefix";
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1, 4));
        if (length != (uint)(body.Length - PrefixBytes))
        {
            return length > (uint)(body.Length - PrefixBytes) ? "message shorter than its length" : "data after the message";
        }

        var message = body.AsMemory(PrefixBytes);
        switch (body[0])
        {
            case 0:
                break;
            case 1 when encoding == "gzip":
                if (Gunzip(message) is not { } plain)
                {
                    return "not valid gzip, or too large once decompressed";
                }

                message = plain;
                break;
            case 1:
                return $"compressed with an unsupported encoding '{encoding}'";
            default:
                return "invalid compressed flag";
        }

        try
        {
            parser.ParseFrom(message.Span);
            return null;
        }
        catch (InvalidProtocolBufferException e)
        {
            return e.Message.TrimEnd('.');
        }
    }

    private static byte[]? Gunzip(ReadOnlyMemory<byte> compressed)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(compressed.ToArray()), CompressionMode.Decompress);
            var buffer = new byte[GrpcServiceCollectionExtensions.MaxRequestBytes + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = gzip.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            return total > GrpcServiceCollectionExtensions.MaxRequestBytes ? null : buffer[..total];
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>The whole body, or null when it is longer than one message of the largest allowed size.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(System.IO.Pipelines.PipeReader reader, CancellationToken ct)
    {
        const long limit = GrpcServiceCollectionExtensions.MaxRequestBytes + PrefixBytes;
        while (true)
        {
            var result = await reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length > limit || DeclaredTooLarge(buffer))
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                var body = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return body;
            }

            reader.AdvanceTo(buffer.Start, buffer.End); // nothing consumed: wait for more
        }
    }

    private static bool DeclaredTooLarge(ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < PrefixBytes)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[PrefixBytes];
        buffer.Slice(0, PrefixBytes).CopyTo(prefix);
        return BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]) > GrpcServiceCollectionExtensions.MaxRequestBytes;
    }

    /// <summary>A trailers-only gRPC answer: the status in the response headers, no message.</summary>
    private static Task RefuseAsync(HttpContext context, int status, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        return response.CompleteAsync();
    }

    private static Dictionary<string, MessageParser> BuildParsers(params ProtoServiceDescriptor[] services) =>
        services.SelectMany(s => s.Methods.Where(m => !m.IsClientStreaming).Select(m => ($"/{s.FullName}/{m.Name}", m.InputType.Parser)))
            .ToDictionary(p => p.Item1, p => p.Parser, StringComparer.Ordinal);
}
