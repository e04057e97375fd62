using System.Diagnostics;
using Dkms.Bench.Infrastructure;
using Grpc.Net.Client;
using V1 = Dkms.Protocol.V1;

namespace Dkms.Bench.Benches;

/// <summary>Unary GetInfo and Status over the Unix socket: sequential latency after warm-up, then 8 concurrent clients.</summary>
internal sealed class RpcBench(BenchOptions o)
{
    private const int Clients = 8;

    public async Task<IReadOnlyList<RpcResult>> RunAsync(DaemonHost daemon)
    {
        var results = new List<RpcResult>();
        foreach (var (name, call) in Calls())
        {
            using var channel = DaemonHost.Channel(daemon.Socket);
            var client = new V1.Dkms.DkmsClient(channel);
            for (var i = 0; i < Math.Min(500, o.RpcCalls); i++)
            {
                await call(client);
            }

            var samples = new double[o.RpcCalls];
            for (var i = 0; i < samples.Length; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await call(client);
                samples[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }

            Array.Sort(samples);
            var throughput = await ThroughputAsync(daemon.Socket, call);
            results.Add(new RpcResult(name, samples.Length, Summary.Percentile(samples, 50), Summary.Percentile(samples, 90),
                Summary.Percentile(samples, 99), samples[^1], Clients, throughput));
            Console.WriteLine($"  rpc {name}: p50 {Summary.Time(results[^1].P50)}, p99 {Summary.Time(results[^1].P99)}, {throughput:0} calls/s");
        }

        return results;
    }

    private static IEnumerable<(string, Func<V1.Dkms.DkmsClient, Task>)> Calls() =>
    [
        ("GetInfo", async c => await c.GetInfoAsync(new V1.GetInfoRequest())),
        ("Status", async c => await c.StatusAsync(new V1.StatusRequest())),
    ];

    private async Task<double> ThroughputAsync(string socket, Func<V1.Dkms.DkmsClient, Task> call)
    {
        var channels = Enumerable.Range(0, Clients).Select(_ => DaemonHost.Channel(socket)).ToArray();
        try
        {
            var clients = channels.Select(c => new V1.Dkms.DkmsClient(c)).ToArray();
            await Task.WhenAll(clients.Select(call)); // connect every client first
            var end = Stopwatch.GetTimestamp() + (long)(o.ThroughputWindow.TotalSeconds * Stopwatch.Frequency);
            var sw = Stopwatch.StartNew();
            var counts = await Task.WhenAll(clients.Select(async c =>
            {
                var n = 0;
                while (Stopwatch.GetTimestamp() < end)
                {
                    await call(c);
                    n++;
                }

                return n;
            }));
            return counts.Sum() / sw.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (GrpcChannel c in channels)
            {
                c.Dispose();
            }
        }
    }
}
