using System.Collections.Concurrent;
using Dkms.Core.Actions;
using Dkms.Core.Autoinstall;
using Dkms.Core.Errors;
using Dkms.Core.Tests.Actions;

namespace Dkms.Core.Tests.Autoinstall;

/// <summary><see cref="AutoinstallRun"/> over a real plan (modules added to temporary trees) with a fake unit runner.</summary>
public sealed class AutoinstallRunTests : IDisposable
{
    private readonly EngineFixture _f = new();
    private readonly ConcurrentQueue<string> _started = new();

    public void Dispose() => _f.Dispose();

    private AutoinstallRun NewRun(List<(ModuleRef, string)>? blocked = null) =>
        new(_f.Engine, EngineFixture.Target, ActionOptions.Default) { Blocked = (mv, line) => blocked?.Add((mv, line)) };

    /// <summary>A unit runner that ends each module at once with the code <paramref name="codes"/> gives it (0 when none).</summary>
    private Func<AutoinstallUnit, CancellationToken, Task<UnitOutcome>> Inline(Dictionary<string, int>? codes = null) => (unit, _) =>
    {
        _started.Enqueue(unit.Module.Module);
        return Task.FromResult(new UnitOutcome(codes?.GetValueOrDefault(unit.Module.Module) ?? 0));
    };

    [Fact]
    public async Task Serial_DependenciesFirst_OthersInDkmsPassOrder()
    {
        // dkms's passes: alpha waits for zeta, beta and zeta run in the first pass, alpha in the second.
        await _f.AddModuleAsync("alpha", extraConf: "BUILD_DEPENDS[0]=zeta\n");
        await _f.AddModuleAsync("beta");
        await _f.AddModuleAsync("zeta");

        Assert.Equal(0, await NewRun().RunAsync(Inline(), parallelism: 1));

        Assert.Equal(["beta", "zeta", "alpha"], _started);
    }

    [Fact]
    public async Task FailedDependency_BlocksOnlyItsDependents_PrintedAtTheEnd_Exit11()
    {
        await _f.AddModuleAsync("a");
        await _f.AddModuleAsync("b", extraConf: "BUILD_DEPENDS[0]=a\n");
        await _f.AddModuleAsync("c", extraConf: "BUILD_DEPENDS[0]=b\n");
        await _f.AddModuleAsync("d");
        var blocked = new List<(ModuleRef, string)>();
        var run = NewRun(blocked);

        var e = await Assert.ThrowsAsync<DkmsException>(() => run.RunAsync(Inline(new() { ["a"] = 10 }), parallelism: 1));

        Assert.Equal(DkmsExitCode.AutoinstallFailed, e.ExitCode);
        Assert.Equal(["a", "d"], _started);
        Assert.Equal([(new ModuleRef("b", "1.0"), "b/1.0 autoinstall failed due to missing dependencies: a"),
            (new ModuleRef("c", "1.0"), "c/1.0 autoinstall failed due to missing dependencies: b")], blocked);
        Assert.Equal(["a/1.0", "b/1.0", "c/1.0"], run.Failed.Select(m => m.ToString()));
        Assert.EndsWith("b/1.0 autoinstall failed due to missing dependencies: a\nc/1.0 autoinstall failed due to missing dependencies: b\n",
            _f.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExcludedDependency_CountsAsMet_MissingOneBlocks_CycleBlocksBoth()
    {
        await _f.AddModuleAsync("excluded");
        await _f.AddModuleAsync("needs-excluded", extraConf: "BUILD_DEPENDS[0]=excluded\n");
        await _f.AddModuleAsync("needs-nothing-there", extraConf: "BUILD_DEPENDS[0]=nothere\n");
        await _f.AddModuleAsync("x", extraConf: "BUILD_DEPENDS[0]=y\n");
        await _f.AddModuleAsync("y", extraConf: "BUILD_DEPENDS[0]=x\n");
        var blocked = new List<(ModuleRef Module, string)>();

        await Assert.ThrowsAsync<DkmsException>(() => NewRun(blocked).RunAsync(Inline(new() { ["excluded"] = DkmsExitCode.Excluded }), parallelism: 1));

        Assert.Equal(["excluded", "needs-excluded"], _started);
        Assert.Equal(["needs-nothing-there", "x", "y"], blocked.Select(b => b.Module.Module));
        Assert.Contains("x/1.0 autoinstall failed due to missing dependencies: y\n", _f.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoAutoinstallFile_NoUnitRuns()
    {
        await _f.AddModuleAsync("hello");
        _f.Write("etc/no-autoinstall", string.Empty);

        Assert.Equal(0, await NewRun().RunAsync(Inline(), parallelism: 1));

        Assert.Empty(_started);
        Assert.Equal("Automatic installation of modules has been disabled.\n", _f.Stdout[_f.Stdout.IndexOf("Automatic", StringComparison.Ordinal)..]);
    }

    [Fact]
    public async Task HeadersMissing_Exit21BeforeAnyUnit_NothingPrepared()
    {
        await _f.AddModuleAsync("hello");
        Directory.Delete(_f.HeadersDir, recursive: true);
        var prepared = 0;
        var run = new AutoinstallRun(_f.Engine, EngineFixture.Target, ActionOptions.Default) { Prepared = () => prepared++ };

        var e = await Assert.ThrowsAsync<DkmsException>(() => run.RunAsync(Inline(), parallelism: 4));

        Assert.Equal(DkmsExitCode.MissingHeaders, e.ExitCode);
        Assert.Empty(_started);
        Assert.Equal(0, prepared);
    }

    [Fact]
    public async Task SigningDecidedByTheRun_OnlyWhenTheWordsPrintItOnce_PreparedOnce()
    {
        await _f.AddModuleAsync("one");
        await _f.AddModuleAsync("two");
        var units = new ConcurrentBag<AutoinstallUnit>();
        var prepared = 0;
        var run = new AutoinstallRun(_f.Engine, EngineFixture.Target, ActionOptions.Default) { Prepared = () => prepared++ };

        await run.RunAsync((u, _) =>
        {
            units.Add(u);
            return Task.FromResult(new UnitOutcome(0));
        }, parallelism: 2);

        Assert.Equal(1, prepared);
        Assert.Equal(2, units.Count);
        // dkms 3.0.10 prints the signing set-up with every build: the run decides nothing for its units.
        Assert.False(_f.Engine.Output.Messages.SigningPreambleOncePerAutoinstall);
        Assert.All(units, u => Assert.False(u.SigningDecided));
        Assert.DoesNotContain("Sign command:", _f.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inline_DepmodOnceForTheKernel_ItsLineOncePerModule()
    {
        await _f.AddModuleAsync("one");
        await _f.AddModuleAsync("two");

        Assert.Equal(0, await _f.Engine.AutoinstallAsync(EngineFixture.Target, ActionOptions.Default));

        Assert.Single(_f.Processes.Log, l => l.StartsWith("depmod ", StringComparison.Ordinal));
        Assert.Equal(2, _f.Stdout.Split('\n').Count(l => l.StartsWith("depmod", StringComparison.Ordinal)));
        Assert.True(_f.Engine.IsInstalled("one", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
        Assert.True(_f.Engine.IsInstalled("two", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
    }

    [Fact]
    public async Task NothingInstalled_NoDepmod()
    {
        await _f.AddModuleAsync("bad");

        await Assert.ThrowsAsync<DkmsException>(() => NewRun().RunAsync(Inline(new() { ["bad"] = 10 }), parallelism: 1));

        Assert.DoesNotContain(_f.Processes.Log, l => l.StartsWith("depmod ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Parallel_IndependentModulesSideBySide_DependentAwaitsItsDependency_BlocksInTheOrderTheyEnd()
    {
        await _f.AddModuleAsync("a");
        await _f.AddModuleAsync("b", extraConf: "BUILD_DEPENDS[0]=a\n");
        await _f.AddModuleAsync("c");
        var ends = new ConcurrentDictionary<string, TaskCompletionSource<UnitOutcome>>();
        var printed = new List<string>();
        TaskCompletionSource<UnitOutcome> End(string m) => ends.GetOrAdd(m, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

        var run = NewRun().RunAsync((u, _) =>
        {
            _started.Enqueue(u.Module.Module);
            return End(u.Module.Module).Task;
        }, parallelism: 4);

        await WaitForAsync(() => _started.Count == 2);
        Assert.Equal(["a", "c"], _started); // b waits for a
        End("c").SetResult(new UnitOutcome(0, () => printed.Add("c")));
        await WaitForAsync(() => printed.Count == 1);
        End("a").SetResult(new UnitOutcome(0, () => printed.Add("a")));
        await WaitForAsync(() => _started.Count == 3);
        Assert.Equal("b", _started.Last());
        End("b").SetResult(new UnitOutcome(0, () => printed.Add("b")));

        Assert.Equal(0, await run);
        Assert.Equal(["c", "a", "b"], printed);
        Assert.Single(_f.Processes.Log, l => l.StartsWith("depmod ", StringComparison.Ordinal));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var end = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < end, "timed out");
            await Task.Delay(5);
        }
    }
}
