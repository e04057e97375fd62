namespace Dkms.Bench.Benches;

/// <summary>Unary latency percentiles (seconds) and throughput (calls/s with <see cref="Clients"/> concurrent clients).</summary>
internal sealed record RpcResult(string Method, int Calls, double P50, double P90, double P99, double Max, int Clients, double Throughput);
