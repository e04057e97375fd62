using System.Globalization;
using System.Runtime.InteropServices;
using Dkms.Core.Platform;
using Dkms.Core.Processes;

namespace Dkms.Core.Sandbox;

/// <summary>
/// Runs package code (dkms.conf, PATCH, PRE_BUILD, MAKE, CLEAN, POST_BUILD) through bubblewrap: as the build user,
/// the filesystem read-only but for the module's build directory, a private /tmp, no network, its own PID namespace
/// (the whole tree dies with its first process: cancel, time-out, daemon exit) and limits it cannot raise.
/// </summary>
/// <remarks>
/// Root first drops to the build user (<c>setpriv</c>), then bubblewrap builds the sandbox in a user namespace of
/// that user's own. So dkmsd needs only CAP_SETUID/CAP_SETGID for it, never CAP_SYS_ADMIN, and no id inside maps
/// to root outside. Unprivileged callers (tests, a user's <c>--offline</c>) skip the drop: they are the build user.
/// </remarks>
public sealed partial class BuildSandbox
{
    /// <summary>Processes the build user may have at once, and files one process may hold open.</summary>
    public const int MaxProcesses = 4096, MaxOpenFiles = 4096;

    /// <summary>The largest file a build may write (a module, an object file, a log): 4 GiB.</summary>
    public const long MaxFileBytes = 4L << 30;

    private static readonly string[] PassedVariables = ["PATH", "LANG", "LC_ALL", "TERM", "SOURCE_DATE_EPOCH"];

    public BuildSandbox(string bwrap, BuildUser? dropTo)
    {
        Bwrap = bwrap;
        DropTo = dropTo;
    }

    /// <summary>The bubblewrap binary.</summary>
    public string Bwrap { get; }

    /// <summary>The user root drops to before the sandbox; null when the caller is unprivileged already.</summary>
    public BuildUser? DropTo { get; }

    /// <summary>bubblewrap from PATH, or null when it is not installed.</summary>
    public static string? FindBwrap() =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "bwrap")).FirstOrDefault(File.Exists);

    /// <summary>A sandbox for this process: dropping to <paramref name="user"/> when it runs as root.</summary>
    public static BuildSandbox? ForThisProcess(BuildUser user) =>
        FindBwrap() is { } bwrap ? new BuildSandbox(bwrap, Libc.geteuid() == 0 ? user : null) : null;

    /// <summary>The same step, run inside the sandbox with <paramref name="view"/>.</summary>
    public ProcessSpec Wrap(ProcessSpec step, SandboxView view)
    {
        // setpriv (root only) → prlimit → bwrap → the step: each execs the next, so bwrap's parent is the caller.
        var args = new List<string>();
        var program = "prlimit";
        if (DropTo is { } user)
        {
            program = "setpriv";
            args.AddRange(["--reuid=" + Id(user.Uid), "--regid=" + Id(user.Gid), "--clear-groups", "--inh-caps=-all", "--no-new-privs", "--", "prlimit"]);
        }

        args.AddRange([$"--nproc={MaxProcesses}", $"--nofile={MaxOpenFiles}", $"--fsize={MaxFileBytes}", "--core=0", "--", Bwrap]);
        args.AddRange(["--ro-bind", "/", "/", "--dev", "/dev", .. ProcMount, "--tmpfs", "/tmp", "--tmpfs", "/run", "--tmpfs", "/root"]);
        foreach (var dir in BoundVisible(view))
        {
            args.AddRange(["--ro-bind", dir, dir]); // a tree kept in /tmp (tests, image builds) stays in view
        }

        foreach (var dir in Hidden(view.HiddenDirectories.Where(Directory.Exists)))
        {
            args.AddRange(["--tmpfs", dir]);
        }

        foreach (var file in Hidden(view.HiddenFiles.Where(File.Exists)))
        {
            args.AddRange(["--ro-bind", "/dev/null", file]);
        }

        foreach (var dir in view.Writable)
        {
            args.AddRange(["--bind", dir, dir]);
        }

        // No --hostname: systemd's ProtectHostname forbids sethostname even in a UTS namespace of the sandbox's own.
        // --as-pid-1: the step itself is the namespace's init, so when it ends the kernel ends everything it left behind.
        args.AddRange(["--unshare-all", "--die-with-parent", "--new-session", "--as-pid-1"]);
        if (step.WorkingDirectory is { } cwd)
        {
            args.AddRange(["--chdir", cwd]);
        }

        args.Add("--clearenv");
        foreach (var (k, v) in EnvironmentOf(step))
        {
            args.AddRange(["--setenv", k, v]);
        }

        args.Add("--");
        args.Add(step.FileName);
        args.AddRange(step.Arguments);
        return step with
        {
            FileName = program,
            Arguments = args,
            Environment = null,
            ExtraEnvironment = null,
        };
    }

    /// <summary>
    /// How /proc is shown: a procfs of the sandbox's PID namespace, or (where the kernel refuses that mount, as under
    /// systemd's ProtectKernelTunables, which covers parts of the host's /proc) the host's, read-only.
    /// </summary>
    private string[] ProcMount { get; set; } = ["--proc", "/proc"];

    /// <summary>Null when a sandboxed <c>true</c> runs here; else why not (bubblewrap's own words).</summary>
    public async Task<string?> ProbeAsync(CancellationToken ct = default)
    {
        var why = await TryAsync(ct).ConfigureAwait(false);
        if (why?.Contains("Can't mount proc", StringComparison.Ordinal) == true)
        {
            ProcMount = ["--ro-bind", "/proc", "/proc"];
            why = await TryAsync(ct).ConfigureAwait(false);
        }

        return why;
    }

    private async Task<string?> TryAsync(CancellationToken ct)
    {
        var probe = Wrap(new ProcessSpec("true", []), new SandboxView()) with { Timeout = TimeSpan.FromSeconds(30), MergeStderr = true };
        var result = await ProcessRunner.Default.RunAsync(probe, ct).ConfigureAwait(false);
        return result.ExitCode == 0 ? null : $"{result.Stdout}{result.Stderr}".Trim() is { Length: > 0 } why ? why : $"exit code {result.ExitCode}";
    }

    /// <summary>
    /// Hands <paramref name="directory"/> (and all below it) to the build user until the lease is disposed, then back
    /// to its owner. Links are changed, never followed; nothing of the sandbox runs any more when it is given back.
    /// </summary>
    public IDisposable Lend(string directory)
    {
        if (DropTo is not { } user || FileOwnership.Of(directory) is not { } owner)
        {
            return NoLease.Instance;
        }

        ChangeOwner(directory, user.Uid, user.Gid);
        return new Lease(() => ChangeOwner(directory, owner.Uid, owner.Gid));
    }

    private static IEnumerable<KeyValuePair<string, string>> EnvironmentOf(ProcessSpec step)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (step.Environment is { } whole)
        {
            foreach (var (k, v) in whole)
            {
                env[k] = v;
            }
        }
        else
        {
            foreach (var name in PassedVariables)
            {
                if (System.Environment.GetEnvironmentVariable(name) is { } v)
                {
                    env[name] = v;
                }
            }
        }

        foreach (var (k, v) in step.ExtraEnvironment ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        env["HOME"] = "/tmp";
        env.TryAdd("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        return env.OrderBy(p => p.Key, StringComparer.Ordinal);
    }

    private static void ChangeOwner(string directory, uint uid, uint gid)
    {
        Chown(directory, uid, gid);
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo { LinkTarget: null } dir)
            {
                ChangeOwner(dir.FullName, uid, gid);
            }
            else
            {
                Chown(entry.FullName, uid, gid);
            }
        }
    }

    private static void Chown(string path, uint uid, uint gid)
    {
        if (lchown(path, uid, gid) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"chown '{path}' to {uid}:{gid} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    private static string Id(uint id) => id.ToString(CultureInfo.InvariantCulture);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int lchown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    private sealed class Lease(Action giveBack) : IDisposable
    {
        private Action? _giveBack = giveBack;

        public void Dispose() => Interlocked.Exchange(ref _giveBack, null)?.Invoke();
    }

    /// <summary>The lease of nothing (no drop to a build user, or no sandbox at all).</summary>
    internal sealed class NoLease : IDisposable
    {
        public static readonly NoLease Instance = new();

        public void Dispose()
        {
        }
    }
}
