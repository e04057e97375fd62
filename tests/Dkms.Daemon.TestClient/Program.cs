using Dkms.Daemon.TestClient;
using Dkms.Protocol.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1;

// dkmsd-testclient <socket> <GetInfo|Status|Build|CancelJob|Health|Reflection>: prints what the call returned,
// or "<StatusCode> <dkms-exit-code>" when it failed, and exits 0.
if (args.Length != 2)
{
    await Console.Error.WriteLineAsync("usage: dkmsd-testclient <socket> <method>");
    return 2;
}

using var channel = UnixChannel.Create(args[0]);
var client = new Dkms.Protocol.V1.Dkms.DkmsClient(channel);
var deadline = DateTime.UtcNow.AddSeconds(30);
try
{
    switch (args[1])
    {
        case "GetInfo":
            var info = await client.GetInfoAsync(new GetInfoRequest(), deadline: deadline);
            Console.WriteLine($"OK uid={info.Caller.Uid} may_modify={info.Caller.MayModify}");
            return 0;
        case "Status":
            var status = await client.StatusAsync(new StatusRequest(), deadline: deadline);
            Console.WriteLine($"OK lines={status.Lines.Count}");
            return 0;
        case "Build":
            using (var call = client.Build(new BuildRequest { Module = new ModuleRef { Name = "x", Version = "1" } }, deadline: deadline))
            {
                await foreach (var _ in call.ResponseStream.ReadAllAsync())
                {
                }
            }

            Console.WriteLine("OK");
            return 0;
        case "CancelJob":
            await client.CancelJobAsync(new CancelJobRequest { Id = "none" }, deadline: deadline);
            Console.WriteLine("OK");
            return 0;
        case "Health":
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: deadline);
            Console.WriteLine($"OK {health.Status}");
            return 0;
        case "Reflection":
            using (var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(deadline: deadline))
            {
                await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
                await call.RequestStream.CompleteAsync();
                var services = new List<string>();
                await foreach (var response in call.ResponseStream.ReadAllAsync())
                {
                    services.AddRange(response.ListServicesResponse.Service.Select(s => s.Name));
                }

                Console.WriteLine($"OK {string.Join(',', services.Order(StringComparer.Ordinal))}");
            }

            return 0;
        default:
            await Console.Error.WriteLineAsync($"unknown method {args[1]}");
            return 2;
    }
}
catch (RpcException e)
{
    Console.WriteLine($"{e.StatusCode} {e.Trailers.GetValue("dkms-exit-code")}");
    return 0;
}
