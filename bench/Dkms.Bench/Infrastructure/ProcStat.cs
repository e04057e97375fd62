using System.Globalization;
using System.Runtime.InteropServices;

namespace Dkms.Bench.Infrastructure;

/// <summary>CPU times (seconds) of one process: its own and that of its reaped children.</summary>
internal readonly record struct CpuTimes(double User, double System, double ChildUser, double ChildSystem)
{
    public double Own => User + System;

    public double Children => ChildUser + ChildSystem;

    public static CpuTimes operator -(CpuTimes a, CpuTimes b) =>
        new(a.User - b.User, a.System - b.System, a.ChildUser - b.ChildUser, a.ChildSystem - b.ChildSystem);
}

/// <summary>Reads /proc/&lt;pid&gt; and getrusage(2).</summary>
internal static partial class ProcStat
{
    private const double Ticks = 100.0; // sysconf(_SC_CLK_TCK) on Linux x86_64

    /// <summary>utime, stime, cutime, cstime (fields 14-17 of /proc/pid/stat).</summary>
    public static CpuTimes Cpu(int pid)
    {
        var f = Fields(File.ReadAllText($"/proc/{pid}/stat"));
        return new CpuTimes(f[11] / Ticks, f[12] / Ticks, f[13] / Ticks, f[14] / Ticks);
    }

    /// <summary>VmRSS (or VmHWM) in KiB.</summary>
    public static long StatusKb(int pid, string field = "VmRSS") => long.Parse(
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>Voluntary + involuntary context switches, summed over every thread, and the thread count.</summary>
    public static (long Voluntary, long Involuntary, int Threads) ContextSwitches(int pid)
    {
        long v = 0, n = 0;
        var threads = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                foreach (var l in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (l.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        v += long.Parse(l.AsSpan(l.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                    else if (l.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        n += long.Parse(l.AsSpan(l.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }

                threads++;
            }
            catch (IOException)
            {
            }
        }

        return (v, n, threads);
    }

    /// <summary>getrusage(RUSAGE_CHILDREN) of this process: every reaped descendant's CPU, in seconds.</summary>
    public static double ChildrenCpuSeconds()
    {
        var r = new RUsage();
        if (GetRusage(-1, ref r) != 0)
        {
            throw new InvalidOperationException("getrusage failed");
        }

        return r.UtimeSec + (r.UtimeUsec / 1e6) + r.StimeSec + (r.StimeUsec / 1e6);
    }

    private static long[] Fields(string stat)
    {
        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return [.. rest.Select(s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) ? x : 0)];
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRusage(int who, ref RUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UtimeSec;
        public long UtimeUsec;
        public long StimeSec;
        public long StimeUsec;
        public long MaxRss;
        public long Ixrss;
        public long Idrss;
        public long Isrss;
        public long Minflt;
        public long Majflt;
        public long Nswap;
        public long Inblock;
        public long Oublock;
        public long Msgsnd;
        public long Msgrcv;
        public long Nsignals;
        public long Nvcsw;
        public long Nivcsw;
    }
}
