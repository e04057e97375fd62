using System.Collections.Concurrent;
using Dkms.Package.Tests.Infrastructure;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests.Flows;

/// <summary>
/// Runs flows and remembers their outcome for the whole test run, so that the per-provider tests and the comparison
/// test of a flow share one container run per provider instead of booting it again.
/// </summary>
public sealed class FlowRuns
{
    // A fresh copy (tar), the boot and apt-get update, on top of the flow's own bound.
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromMinutes(25);
    private static readonly TimeSpan UpdateTimeout = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<(string Flow, Provider Provider), Lazy<Task<FlowRun>>> _runs = new();
    private readonly Lazy<DebianRoot> _root = new(DebianRoot.ForHost);

    /// <summary>The flow's run under the provider: started by the first test that asks, awaited by the others.</summary>
    internal Task<FlowRun> GetAsync(IFlow flow, Provider provider, ITestOutputHelper output) =>
        _runs.GetOrAdd((flow.Name, provider), _ => new Lazy<Task<FlowRun>>(() => RunAsync(flow, provider, output)))
            .Value
            .WithTimeout(flow.Timeout + SetupTimeout);

    private async Task<FlowRun> RunAsync(IFlow flow, Provider provider, ITestOutputHelper output)
    {
        void Progress(string line)
        {
            try
            {
                output.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
            }
            catch (InvalidOperationException)
            {
                // The test that started the run has ended (timed out); the run goes on for the others.
            }
        }

        if (provider == Provider.Dkmsd)
        {
            DkmsdPackage.Find(); // a missing package fails here, before a container is booted for nothing
        }

        var root = _root.Value;
        var name = $"dkt-{flow.Name}-{provider.PackageName()}-{Guid.NewGuid().ToString("N")[..8]}";
        await using var copy = await root.CreateCopyAsync(name, Progress).ConfigureAwait(false);
        await using var container = await BootedContainer.BootAsync(copy, name, Progress).ConfigureAwait(false);
        var session = new FlowSession(flow.Name, provider, container, root.Kernel, Progress);
        try
        {
            await container.ExecCheckedAsync("apt-get update", UpdateTimeout).ConfigureAwait(false);
            await flow.RunAsync(session).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var journal = await container.JournalAsync().ConfigureAwait(false);
            session.SaveJournal(journal);
            Progress($"{flow.Name} [{provider.PackageName()}] failed: {e.Message}\nlogs: {session.LogDirectory}\n--- journalctl -b\n{journal}");
            throw;
        }

        return session.Finish(await container.JournalAsync().ConfigureAwait(false));
    }
}
