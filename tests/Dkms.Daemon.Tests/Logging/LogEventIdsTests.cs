using System.Reflection;
using Microsoft.Extensions.Logging;
using Dkms.Daemon.Logging;

namespace Dkms.Daemon.Tests.Logging;

public sealed class LogEventIdsTests
{
    private static readonly Assembly Daemon = typeof(LogEventIds).Assembly;

    private static List<(string Method, string Namespace, int EventId)> Messages() =>
        [.. from type in Daemon.GetTypes()
            from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
            where attribute is not null
            select ($"{type.Name}.{method.Name}", type.Namespace ?? string.Empty, attribute.EventId)];

    [Fact]
    public void LoggerMessages_DaemonAssembly_EventIdsUnique()
    {
        var messages = Messages();
        Assert.NotEmpty(messages);

        var clashes = messages.GroupBy(m => m.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}").ToList();

        Assert.Empty(clashes);
    }

    [Fact]
    public void LoggerMessages_DaemonAssembly_EachInItsFeatureRange()
    {
        var outside = Messages().Where(m => !LogEventIds.Ranges.TryGetValue(m.Namespace, out var r) || m.EventId < r.First || m.EventId > r.Last)
            .Select(m => $"{m.Method} ({m.Namespace}): {m.EventId}").ToList();

        Assert.Empty(outside);
    }

    [Fact]
    public void Ranges_Registry_DoNotOverlap()
    {
        var ranges = LogEventIds.Ranges.Values.OrderBy(r => r.First).ToList();

        Assert.All(ranges.Zip(ranges.Skip(1)), pair => Assert.True(pair.First.Last < pair.Second.First, $"{pair.First} overlaps {pair.Second}"));
    }
}
