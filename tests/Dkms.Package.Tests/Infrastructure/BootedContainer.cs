using System.Diagnostics;
using System.Globalization;

namespace Dkms.Package.Tests.Infrastructure;

/// <summary>
/// A Debian 12 root booted with <c>systemd-nspawn --boot</c>: systemd as PID 1, its journal, dbus and apt.
/// Commands run inside through nsenter (<see cref="ExecAsync"/>). Disposing powers it off cleanly
/// (SIGRTMIN+4 to its PID 1), kills what is left, and removes its cgroups; the root copy belongs to the caller.
/// </summary>
internal sealed partial class BootedContainer : IAsyncDisposable
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(250);

    // Runs as the nspawn process itself: it moves into the slot's cgroups, then becomes nspawn (same pid).
    private const string Launcher = """
        root=$1 name=$2 log=$3; shift 3
        for procs in "$@"; do echo $$ > "$procs"; done
        exec setsid systemd-nspawn --boot --directory="$root" --machine="$name" --register=no --keep-unit \
          --console=read-only --link-journal=no </dev/null >"$log" 2>&1
        """;

    private readonly Process _nspawn;
    private readonly CgroupSlot _cgroup;
    private readonly RootCopy _root;

    private BootedContainer(string name, Process nspawn, CgroupSlot cgroup, RootCopy root)
    {
        Name = name;
        _nspawn = nspawn;
        _cgroup = cgroup;
        _root = root;
    }

    public string Name { get; }

    /// <summary>The container's PID 1 as the host sees it.</summary>
    public int InitPid { get; private set; }

    /// <summary>The root filesystem this container runs on.</summary>
    public RootCopy Root => _root;

    public static async Task<BootedContainer> BootAsync(RootCopy root, string name, Action<string> log)
    {
        var cgroup = CgroupSlot.Create(name);
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", Launcher, "sh", root.Root, name, root.ConsoleLog }.Concat(cgroup.ProcsFiles))
        {
            psi.ArgumentList.Add(a);
        }

        Process nspawn;
        try
        {
            nspawn = Process.Start(psi) ?? throw new InvalidOperationException("Could not start systemd-nspawn.");
        }
        catch
        {
            await cgroup.RemoveAsync().ConfigureAwait(false);
            throw;
        }

        var container = new BootedContainer(name, nspawn, cgroup, root);
        try
        {
            var clock = Stopwatch.StartNew();
            await container.WaitForInitAsync().ConfigureAwait(false);
            await container.WaitUntilRunningAsync().ConfigureAwait(false);
            log($"{name}: booted in {clock.Elapsed.TotalSeconds:F1} s (PID 1 is host pid {container.InitPid})");
            return container;
        }
        catch
        {
            await container.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_nspawn.HasExited && InitPid > 0)
            {
                // systemd's "poweroff" signal: a clean shutdown, after which nspawn exits by itself.
                await HostProcess.RunAsync("/bin/kill", ["-s", "RTMIN+4", InitPid.ToString(CultureInfo.InvariantCulture)], StopTimeout)
                    .ConfigureAwait(false);
            }

            using var stop = new CancellationTokenSource(StopTimeout);
            try
            {
                await _nspawn.WaitForExitAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _nspawn.Kill(entireProcessTree: true);
                _cgroup.KillAll();
                using var killed = new CancellationTokenSource(StopTimeout);
                await _nspawn.WaitForExitAsync(killed.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            _nspawn.Dispose();
            await _cgroup.RemoveAsync().ConfigureAwait(false);
        }
    }

    private async Task WaitForInitAsync()
    {
        var deadline = DateTime.UtcNow + BootTimeout;
        while (DateTime.UtcNow < deadline)
        {
            ThrowIfExited();
            if (ContainerInit.Find(_nspawn.Id) is { } pid)
            {
                InitPid = pid;
                return;
            }

            await Task.Delay(PollEvery).ConfigureAwait(false);
        }

        throw new TimeoutException($"{Name}: no systemd PID 1 below nspawn (pid {_nspawn.Id}) after {BootTimeout.TotalSeconds} s.\n{ConsoleTail()}");
    }

    private async Task WaitUntilRunningAsync()
    {
        var deadline = DateTime.UtcNow + BootTimeout;
        var state = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            ThrowIfExited();
            state = (await ExecAsync("systemctl is-system-running", TimeSpan.FromSeconds(30)).ConfigureAwait(false)).Stdout.Trim();
            if (state is "running" or "degraded")
            {
                return;
            }

            await Task.Delay(PollEvery).ConfigureAwait(false);
        }

        throw new TimeoutException($"{Name}: still '{state}' after {BootTimeout.TotalSeconds} s, not running or degraded.\n{ConsoleTail()}");
    }

    private void ThrowIfExited()
    {
        if (_nspawn.HasExited)
        {
            throw new InvalidOperationException($"{Name}: systemd-nspawn exited with {_nspawn.ExitCode} while booting.\n{ConsoleTail()}");
        }
    }

    private string ConsoleTail()
    {
        var lines = File.Exists(_root.ConsoleLog) ? File.ReadAllLines(_root.ConsoleLog) : [];
        return "--- nspawn console (last lines)\n" + string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 30)));
    }
}
