using Dkms.Daemon.TestClient;
using Dkms.Protocol.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1;

// dkmsd-testclient <socket> <GetInfo|Status|HugeStatus|WideStatus|Malformed|Build|CancelJob|Health|Reflection>: prints what the
// call returned, or "<StatusCode> <dkms-exit-code>" when it failed, and exits 0.
// dkmsd-testclient <socket> Jobs: "jobs=N requested_by=N first=<id>"; <socket> Job <id>: what GetJob and StreamLog answer.
// dkmsd-testclient <socket> Hold <count> <seconds>: opens <count> idle connections, prints how many the daemon kept
// after a second ("open=N closed=N"), then after <seconds> again, and exits.
if (args.Length == 4 && args[1] == "Hold")
{
    return await Hold.RunAsync(args[0], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
}

// dkmsd-testclient <socket> MaxStatus <count>: <count> concurrent Status calls as wide as the daemon takes (64 kernels, every
// module), prints "OK calls=N lines=N" or the first failure.
if (args.Length == 3 && args[1] == "MaxStatus")
{
    using var wideChannel = UnixChannel.Create(args[0]);
    var wideClient = new Dkms.Protocol.V1.Dkms.DkmsClient(wideChannel);
    var request = new StatusRequest();
    request.Kernels.Add(Enumerable.Range(0, 64).Select(i => new KernelTarget { Kernel = $"6.1.0-{i}-amd64", Arch = "x86_64" }));
    var calls = Enumerable.Range(0, int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture))
        .Select(_ => wideClient.StatusAsync(request, deadline: DateTime.UtcNow.AddMinutes(5)).ResponseAsync).ToList();
    try
    {
        var answers = await Task.WhenAll(calls);
        Console.WriteLine($"OK calls={answers.Length} lines={answers.Sum(a => a.Lines.Count)}");
    }
    catch (RpcException e)
    {
        Console.WriteLine($"{e.StatusCode} {e.Status.Detail}");
    }

    return 0;
}

if (args.Length == 3 && args[1] == "Job")
{
    using var jobChannel = UnixChannel.Create(args[0]);
    Console.WriteLine(await JobReads.OneAsync(new Dkms.Protocol.V1.Dkms.DkmsClient(jobChannel), args[2]));
    return 0;
}

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
        case "HugeStatus":
            // ~4 MB in one request: refused before the daemon does any work for it.
            var huge = await client.StatusAsync(new StatusRequest { Module = new string('m', 4_000_000) }, deadline: deadline);
            Console.WriteLine($"OK lines={huge.Lines.Count}");
            return 0;
        case "WideStatus":
            var wide = new StatusRequest();
            wide.Kernels.Add(Enumerable.Range(0, 1000).Select(i => new KernelTarget { Kernel = $"6.1.0-{i}-amd64" }));
            var answer = await client.StatusAsync(wide, deadline: deadline);
            Console.WriteLine($"OK lines={answer.Lines.Count}");
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
        case "Malformed":
            // Bytes that are no StatusRequest (a string field whose length runs past the end), 20 times, then the same
            // to a streaming action and to reflection (whose request stream is read inside the handler).
            Console.WriteLine(await Malformed.RunAsync(channel, deadline));
            return 0;
        case "Jobs":
            Console.WriteLine(await JobReads.ListAsync(client));
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
