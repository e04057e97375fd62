using Dkms.Daemon.Jobs;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Tests.Jobs;

/// <summary>A follower of a job's output holds a bounded tail, however long it leaves the stream unread.</summary>
public sealed class JobRecordTests
{
    [Fact]
    public void Follower_NeverReading_HoldsAtMostTheInMemoryTail_NewestLast()
    {
        var record = new JobRecord(new Job { Id = "1" }, run: null);
        var (_, live, stop) = record.Follow(follow: true);

        for (var i = 0; i < 3 * JobRecord.MaxLinesInMemory; i++)
        {
            record.AppendLine(new OutputLine { Text = $"line {i}" });
        }

        record.CompleteFollowers();
        var held = new List<string>();
        while (live!.TryRead(out var line))
        {
            held.Add(line.Text);
        }

        stop();
        Assert.True(held.Count <= JobRecord.MaxLinesInMemory, $"{held.Count} lines held for a follower that never read");
        Assert.Equal($"line {(3 * JobRecord.MaxLinesInMemory) - 1}", held[^1]);
    }
}
