using Dkms.Protocol.V1;
using Grpc.Core;

namespace Dkms.Daemon.TestClient;

/// <summary>What a caller reads of the jobs: how many it sees and with whom they were asked for, one job's answer and log.</summary>
internal static class JobReads
{
    public static async Task<string> ListAsync(Protocol.V1.Dkms.DkmsClient client)
    {
        var jobs = (await client.ListJobsAsync(new ListJobsRequest(), deadline: DateTime.UtcNow.AddSeconds(30))).Jobs;
        return $"jobs={jobs.Count} requested_by={jobs.Count(j => j.RequestedBy is not null)} first={jobs.LastOrDefault()?.Id ?? "-"}";
    }

    public static async Task<string> OneAsync(Protocol.V1.Dkms.DkmsClient client, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string job, log;
        try
        {
            var j = await client.GetJobAsync(new GetJobRequest { Id = id }, deadline: deadline);
            job = j.RequestedBy is null ? "job" : $"job by {j.RequestedBy.Uid}";
        }
        catch (RpcException e)
        {
            job = e.StatusCode.ToString();
        }

        try
        {
            using var call = client.StreamLog(new StreamLogRequest { JobId = id }, deadline: deadline);
            var lines = 0;
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
                lines++;
            }

            log = $"log lines={lines}";
        }
        catch (RpcException e)
        {
            log = e.StatusCode.ToString();
        }

        return $"{job}; {log}";
    }
}
