using Dkms.Bench.Infrastructure;
using Dkms.Bench.Trees;

namespace Dkms.Bench.Benches;

/// <summary>
/// Starts dkmsd on empty trees (one kernel with headers, automation on, no D-Bus) several times, timing the
/// fork to READY=1; the last one is then left idle and watched through /proc.
/// </summary>
internal sealed class DaemonBench(BenchOptions o)
{
    public async Task<DaemonFacts> RunAsync(string root)
    {
        var t = new BenchTrees(root);
        t.LinkHeaders(KernelHeaders.Kernel, KernelHeaders.Dir);
        string[] cmd = [o.Dkmsd, "--socket", t.Socket, .. t.TreeArgs, "--no-dbus"];
        var ready = new List<double>();
        for (var i = 0; i < o.ReadyRuns; i++)
        {
            await using var d = await DaemonHost.StartAsync(cmd, t.Socket, Path.Combine(t.Root, "run", "notify"));
            ready.Add(d.Ready.TotalSeconds);
        }

        await using var daemon = await DaemonHost.StartAsync(cmd, t.Socket, Path.Combine(t.Root, "run", "notify"));
        ready.Add(daemon.Ready.TotalSeconds);
        await Task.Delay(TimeSpan.FromSeconds(o.Smoke ? 1 : 5)); // let start-up work (reconcile, JIT-free AOT warm-up) finish
        var (v0, n0, _) = ProcStat.ContextSwitches(daemon.Pid);
        var cpu0 = ProcStat.Cpu(daemon.Pid);
        var started = DateTime.UtcNow;
        await Task.Delay(o.IdleWindow);
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        var (v1, n1, threads) = ProcStat.ContextSwitches(daemon.Pid);
        var cpu = ProcStat.Cpu(daemon.Pid) - cpu0;
        var facts = new DaemonFacts(Summary.Of(ready), ProcStat.StatusKb(daemon.Pid), ProcStat.StatusKb(daemon.Pid, "VmHWM"), threads,
            seconds, v1 - v0, n1 - n0, cpu.Own);
        Console.WriteLine($"  daemon: READY {Summary.Time(facts.Ready.Median)}, idle RSS {facts.IdleRssKb / 1024.0:0.0} MiB, "
            + $"{facts.WakeupsPerSecond:0.00} wake-ups/s over {seconds:0} s");
        return facts;
    }
}
