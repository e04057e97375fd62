using System.Globalization;
using System.Text;
using Dkms.Bench.Benches;
using Dkms.Bench.Infrastructure;

namespace Dkms.Bench.Report;

/// <summary>RESULTS.md: machine facts, then one section per measurement, each with its method and targets.</summary>
internal sealed class ResultsWriter
{
    private readonly StringBuilder _md = new();

    public ResultsWriter(IReadOnlyList<(string, string)> facts)
    {
        _md.AppendLine("# dkmsd benchmark results").AppendLine()
            .AppendLine("Written by `bench/run` (bench/Dkms.Bench). Times are wall clock of whole processes unless said; "
                + "dkms always runs inside a private mount namespace (`unshare -m`, `/var/lib/dkms` and `/lib/modules` bound to "
                + "the run's own directories, `/usr/src` and `/etc/dkms` read-only), which adds a few ms per call.").AppendLine()
            .AppendLine("## Machine").AppendLine().AppendLine("| | |").AppendLine("|---|---|");
        foreach (var (k, v) in facts)
        {
            _md.AppendLine(CultureInfo.InvariantCulture, $"| {k} | {v} |");
        }

        _md.AppendLine();
    }

    public void Headline(IEnumerable<(string What, string Value, string Target)> rows)
    {
        _md.AppendLine("## Headline").AppendLine().AppendLine("| measure | result | target |").AppendLine("|---|---|---|");
        foreach (var (w, v, t) in rows)
        {
            _md.AppendLine(CultureInfo.InvariantCulture, $"| {w} | {v} | {t} |");
        }

        _md.AppendLine();
    }

    public void Status(IReadOnlyList<StatusRow> rows, string plot)
    {
        _md.AppendLine("## 1. status").AppendLine()
            .AppendLine("Each cell runs `dkms status` (shielded), `dkmsctl status` through a running AOT dkmsd (whole client process: "
                + "start, connect, RPC, print) and `dkmsctl --offline status` alternately on the same tree, after one untimed run "
                + "of each (dkms's only up to 100 lines). dkms is repeated until its time budget is spent (at least once). "
                + "\"same\" says whether the three printed the same lines (dkms's order may differ).").AppendLine()
            .AppendLine("| tree | lines | dkms median / min / max / n | dkmsctl→dkmsd median / min / max / n | dkmsctl --offline median / min / max / n | dkms ÷ dkmsd | dkms ÷ offline | same |")
            .AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            _md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Tree} | {r.Lines} | {r.Dkms.Cells} | {r.Daemon.Cells} | {r.Offline.Cells} | {r.Ratio:0}× | {r.OfflineRatio:0}× | {(r.SameOutput ? "yes" : "NO")} |");
        }

        _md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"![status time against tree size]({plot})").AppendLine();
    }

    public void Autoinstall(AutoinstallResult r, string plot, string notes)
    {
        string T(double s) => Summary.Time(s);
        _md.AppendLine("## 2. autoinstall for a newly installed kernel").AppendLine()
            .AppendLine(notes).AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Modules ({r.Modules.Count}): {string.Join(", ", r.Modules)}.").AppendLine()
            .AppendLine("| | dkmsd (`--workers " + r.Workers + "`) | dkms autoinstall |").AppendLine("|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| wall time (headers appear → kernel settled / command exits) | {T(r.DaemonWall)} | {T(r.DkmsWall)} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| CPU of the builds (children) | {r.DaemonBuildCpu:0.0} s | {r.DkmsCpu:0.0} s |")
            .AppendLine(CultureInfo.InvariantCulture, $"| CPU of dkmsd itself during the batch | {r.DaemonOwnCpu:0.00} s | – |")
            .AppendLine(CultureInfo.InvariantCulture, $"| modules installed afterwards (status lines) | {r.DaemonInstalled} | {r.DkmsInstalled} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| same final status | {(r.SameStatus ? "yes" : "NO")} | |").AppendLine()
            .AppendLine("| measure | value | target |").AppendLine("|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| dkmsd ÷ dkms wall time | {r.RatioToDkms:0.00} | ≤ 0.60 |")
            .AppendLine(CultureInfo.InvariantCulture, $"| longest single job ({r.LongestJobLabel}) | {T(r.LongestJob)} | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| build CPU ÷ {r.Cores} cores | {T(r.DaemonBuildCpu / r.Cores)} | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| physical bound = max of the two | {T(r.Bound)} | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| dkmsd wall ÷ bound | {r.RatioToBound:0.00} | ≤ 1.15 |")
            .AppendLine(CultureInfo.InvariantCulture, $"| headers appear → first job started | {T(r.HeadersToFirstJob)} | ≤ 1 s |")
            .AppendLine(CultureInfo.InvariantCulture, $"| last job finished → kernel settled | {T(r.LastJobToSettled)} | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| dkmsd peak RSS during the batch (100 ms samples) | {r.PeakRssKb / 1024.0:0.0} MiB | |").AppendLine()
            .AppendLine("| job | state | start (s) | end (s) | duration |").AppendLine("|---|---|---|---|---|");
        foreach (var j in r.Jobs)
        {
            _md.AppendLine(CultureInfo.InvariantCulture, $"| {j.Label} | {j.State} | {j.Start:0.00} | {j.End:0.00} | {T(j.End - j.Start)} |");
        }

        _md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"![autoinstall timeline]({plot})").AppendLine();
    }

    public void Daemon(DaemonFacts d)
    {
        var ready = d.Ready.Cells.Replace(" | ", " / ", StringComparison.Ordinal);
        _md.AppendLine("## 3. the daemon").AppendLine()
            .AppendLine("AOT dkmsd started directly (no shield) on empty temporary trees with one kernel's headers, automation on, "
                + "`--no-dbus`; READY is timed from just before the fork to the `READY=1` datagram on a NOTIFY_SOCKET the harness "
                + "binds. The last instance then stays idle; wake-ups are the voluntary + involuntary context switches summed over "
                + "every thread (/proc/<pid>/task/*/status), CPU from /proc/<pid>/stat.").AppendLine()
            .AppendLine("| measure | value | target |").AppendLine("|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| start → READY=1 (median / min / max / n) | {ready} | ≤ 100 ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| idle RSS (VmRSS) | {d.IdleRssKb / 1024.0:0.0} MiB | ≤ 30 MiB |")
            .AppendLine(CultureInfo.InvariantCulture, $"| peak RSS so far (VmHWM) | {d.IdleHwmKb / 1024.0:0.0} MiB | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| threads | {d.Threads} | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| idle window | {d.IdleSeconds:0} s | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| context switches in the window (voluntary + involuntary) | {d.VoluntarySwitches} + {d.InvoluntarySwitches} ({d.WakeupsPerSecond:0.00}/s) | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| CPU in the window | {d.IdleCpuSeconds:0.00} s | |").AppendLine();
    }

    public void Rpc(IReadOnlyList<RpcResult> rs, string tree)
    {
        _md.AppendLine("## 4. RPC").AppendLine()
            .AppendLine("Unary calls from the harness (Grpc.Net.Client, JIT, one HTTP/2 connection over the Unix socket) to the AOT dkmsd serving " + tree + "; "
                + "latency is sequential after 500 warm-up calls; throughput is 8 clients, each on its own connection, calling in a loop.").AppendLine()
            .AppendLine("| method | calls | p50 | p90 | p99 | max | throughput (8 clients) | target |").AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in rs)
        {
            _md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Method} | {r.Calls} | {Summary.Time(r.P50)} | {Summary.Time(r.P90)} | {Summary.Time(r.P99)} | {Summary.Time(r.Max)} | {r.Throughput:0} calls/s | p50 ≤ 300 µs |");
        }

        _md.AppendLine();
    }

    public void StatusScale(StatusScaleResult r)
    {
        _md.AppendLine("## 5. status at scale").AppendLine()
            .AppendLine("Generated trees of " + StatusScaleBench.Kernels + " kernels (every module built and installed on each), each served by its own AOT dkmsd "
                + "(`--no-automation --no-dbus`, in the shield); whole `dkmsctl status` processes through it, against the process floor "
                + "`dkms -V` (the same dkmsctl binary under the name dkms: start, parse, print one line), all run alternately after one "
                + "untimed call each (which computes the daemon's state). `dkmsctl --version` is shown beside them: it also tries the "
                + "build sandbox (one bubblewrap run), so it is no longer the floor.").AppendLine()
            .AppendLine("| run | lines | median | min | max | n | ÷ floor | target |").AppendLine("|---|---|---|---|---|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| `dkms -V` (floor) | – | {r.Floor.Cells} | 1.00 | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| `dkmsctl --version` (with the sandbox probe) | – | {r.Version.Cells} | {r.Version.Median / r.Floor.Median:0.00} | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| `dkmsctl status`, small tree | {r.SmallLines} | {r.Small.Cells} | {r.Small.Median / r.Floor.Median:0.00} | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| `dkmsctl status`, large tree | {r.LargeLines} | {r.Large.Cells} | {r.LargeToFloor:0.00} | ≤ 3× floor, ≤ 2× small ({r.LargeToSmall:0.00}×) |")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"dkmsd RSS serving the large tree: {r.LargeDaemonRssKb / 1024.0:0.0} MiB.").AppendLine();
    }

    /// <summary>The headline rows of the RPC latencies.</summary>
    public static IEnumerable<(string, string, string)> RpcHeadline(IEnumerable<RpcResult> rs) =>
        rs.Select(r => ($"RPC {r.Method} p50 / p99", $"{Summary.Time(r.P50)} / {Summary.Time(r.P99)}", "p50 ≤ 300 µs"));

    /// <summary>The headline row of the idle daemon's RSS.</summary>
    public static (string, string, string) IdleRssHeadline(DaemonFacts d) =>
        ("dkmsd idle RSS", string.Create(CultureInfo.InvariantCulture, $"{d.IdleRssKb / 1024.0:0.0} MiB"), "≤ 30 MiB");

    /// <summary>Writes the results as <paramref name="name"/> in <paramref name="dir"/> and says where.</summary>
    public void WriteTo(string dir, string name)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, ToString());
        Console.WriteLine($"bench: wrote {path}");
    }

    public void Section(string title, string body) => _md.AppendLine("## " + title).AppendLine().AppendLine(body).AppendLine();

    public override string ToString() => _md.ToString();
}
