using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Dkms.Core.Processes;

/// <summary>
/// Starts every child from one thread that lives as long as this process.
/// </summary>
/// <remarks>
/// A parent-death signal (<c>PR_SET_PDEATHSIG</c>, what bubblewrap's <c>--die-with-parent</c> sets) is sent when the
/// <em>thread</em> that forked the child ends, not the process. The runner's callers are thread-pool threads, which the
/// pool retires after a while idle, and with them went the sandboxed step: openafs's 145 s configure was SIGKILLed
/// (exit 137) in the sandbox parity run. Forked from here, the signal comes only when dkmsctl or dkmsd itself ends.
/// </remarks>
internal static class SpawnThread
{
    private static readonly BlockingCollection<Action> Work = [];

    static SpawnThread() => new Thread(Loop) { IsBackground = true, Name = "dkms spawn" }.Start();

    /// <summary><see cref="Process.Start()"/> on the spawning thread; the caller waits for it, as for Start itself.</summary>
    public static void Start(Process process)
    {
        ExceptionDispatchInfo? failure = null;
        using var done = new ManualResetEventSlim();
        Work.Add(() =>
        {
            try
            {
                process.Start();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        failure?.Throw();
    }

    private static void Loop()
    {
        foreach (var start in Work.GetConsumingEnumerable())
        {
            start();
        }
    }
}
