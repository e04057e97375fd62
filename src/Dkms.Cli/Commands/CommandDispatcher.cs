using Dkms.Cli.CommandLine;
using Dkms.Cli.Remote;
using Dkms.Core.Actions;
using Dkms.Core.Configuration;
using Dkms.Core.Errors;
using Dkms.Core.Output;
using Dkms.Core.Platform;
using Dkms.Core.Status;
using Dkms.Core.Validation;
using Dkms.Protocol.Execution;
using Dkms.Protocol.V1;
using Grpc.Core;

namespace Dkms.Cli.Commands;

/// <summary>Checks a parsed command line against dkms's per-action rules (§2.3, §2.4) and runs it.</summary>
/// <param name="invokedAs">The name the program was started under (argv[0]), for dkms's usage line.</param>
internal sealed class CommandDispatcher(TextWriter stdout, TextWriter stderr, string programName, string? invokedAs = null)
{
    /// <summary>The version dkmsctl reports under the name <c>dkms</c>, for scripts that parse it.</summary>
    public const string CompatibleDkmsVersion = DkmsEngine.CompatibleDkmsVersion;

    private static readonly HashSet<string> NeedsModuleVersion = new(StringComparer.Ordinal) { "remove", "unbuild", "uninstall", "mktarball" };
    private static readonly HashSet<string> NoAll = new(StringComparer.Ordinal)
    {
        "add", "build", "install", "autoinstall", "match", "kernel_preinst", "kernel_postinst", "kernel_prerm",
    };

    private static readonly HashSet<string> DaemonVerbs = new(StringComparer.Ordinal) { "jobs", "watch", "logs", "cancel" };

    private static readonly HashSet<string> OneKernel = new(StringComparer.Ordinal)
    {
        "autoinstall", "match", "kernel_preinst", "kernel_postinst", "kernel_prerm",
    };

    public async Task<int> RunAsync(IReadOnlyList<string> argv, CancellationToken ct = default)
    {
        DkmsArguments args;
        try
        {
            args = DkmsArgumentParser.Parse(argv);
        }
        catch (UsageException e)
        {
            await stderr.WriteAsync(Messages.ErrorText(e.Lines)).ConfigureAwait(false);
            await stderr.FlushAsync(ct).ConfigureAwait(false); // before the usage, as dkms's two streams interleave
            await stdout.WriteAsync(UsageText()).ConfigureAwait(false);
            return e.ExitCode;
        }

        if (args.Help)
        {
            await stdout.WriteAsync(UsageText()).ConfigureAwait(false);
            return 0;
        }

        if (args.ShowVersion)
        {
            await stdout.WriteLineAsync(programName == "dkms" ? Messages.Version : $"dkmsctl {DkmsEngine.ToolVersion} (compatible with {CompatibleDkmsVersion})")
                .ConfigureAwait(false);
            return 0;
        }

        var output = args.Quiet ? DkmsOutput.Null : new DkmsOutput(stdout, stderr, args.Verbose);
        foreach (var w in args.Warnings)
        {
            output.ErrLine(w);
        }

        try
        {
            return await DispatchAsync(args, output, ct).ConfigureAwait(false);
        }
        catch (DkmsException e)
        {
            if (!e.AlreadyReported)
            {
                if (e.IsWarning)
                {
                    output.Warn([.. e.Lines]);
                }
                else
                {
                    output.Error(e.Lines);
                }
            }

            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            output.Error(e.Message);
            return 1;
        }
        catch (UsageException e)
        {
            output.Error(e.Lines);
            if (!args.Quiet)
            {
                await stdout.WriteAsync(UsageText()).ConfigureAwait(false);
            }

            return e.ExitCode;
        }
    }

    /// <summary>The words dkmsctl prints (the profile's choice; dkms 3.0.10's until profiles exist).</summary>
    private static DkmsMessages Messages => DkmsMessages.Default;

    /// <summary>dkms's usage under the name dkms (headed with its path, as bash's <c>$0</c>); dkmsctl's own otherwise.</summary>
    private string UsageText() => programName == "dkms" ? Messages.Usage(ScriptPath(invokedAs ?? programName)) : Usage.Text(programName);

    /// <summary>What bash calls a script started as <paramref name="name"/>: the name itself when it has a slash, else where PATH found it.</summary>
    private static string ScriptPath(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return name;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return name;
    }

    private async Task<int> DispatchAsync(DkmsArguments args, DkmsOutput output, CancellationToken ct)
    {
        if (args.Actions.Count > 1)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 4, Messages.MoreThanOneAction());
        }

        var action = args.Action ?? throw new UsageException(2, Messages.UnknownAction(string.Empty));
        if (args.BinariesOnly && args.SourceOnly)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 8, Messages.BinariesAndSourceOnly());
        }

        if (args.Arches.Count > 1 && args.Arches.Count != args.Kernels.Count)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 1, Messages.ArchesWithoutKernels());
        }

        if (args.All && args.Kernels.Count > 0)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 2, Messages.KernelWithAll());
        }

        if (args.All && args.Arches.Count > 0)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 3, Messages.ArchWithAll());
        }

        if (action.StartsWith("kernel_", StringComparison.Ordinal) && args.Kernels.Count != 1)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 4, Messages.ExactlyOneKernel(action));
        }

        if (NoAll.Contains(action) && args.All)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 5, Messages.AllNotSupported(action));
        }

        if (OneKernel.Contains(action) && args.Kernels.Count > 1)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 4, Messages.OneKernelOnly(action));
        }

        var daemonOnly = DaemonVerbs.Contains(action);
        if (DaemonConnection.OfflineRequested(args) && !daemonOnly)
        {
            return await RunInProcessAsync(action, args, output, ct).ConfigureAwait(false);
        }


        var socket = DaemonConnection.SocketPathFor(args);
        var (daemon, problem) = await DaemonConnection.TryOpenAsync(socket, ct).ConfigureAwait(false);
        if (daemon is null)
        {
            if (daemonOnly)
            {
                throw new DkmsException(DkmsErrorKind.FailedPrecondition, 1, $"dkmsd is not running ({problem}).",
                    $"'{programName} {action}' needs the daemon: start it (systemctl start dkmsd) or name its socket with --socket.");
            }

            if (programName != "dkms" || args.Verbose)
            {
                // As dkms, the daemon is an optional accelerator: scripts that capture dkms's output see only dkms's lines.
                await stderr.WriteLineAsync($"{programName}: dkmsd is not running ({problem}); running in-process.").ConfigureAwait(false);
                await stderr.FlushAsync(ct).ConfigureAwait(false);
            }

            return await RunInProcessAsync(action, args, output, ct).ConfigureAwait(false);
        }

        using (daemon)
        {
            try
            {
                await RequireSameTreesAsync(daemon, args, ct).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                return daemon.Report(e, stderr);
            }

            if (daemonOnly)
            {
                return await new JobVerbs(daemon, stdout, stderr).RunAsync(action, args, ct).ConfigureAwait(false);
            }

            if (action != "status")
            {
                // Whatever runs in this process on the daemon's behalf (below, or when it goes away mid-request) works
                // on the daemon's trees, never on defaults that may differ from them.
                try
                {
                    await UseDaemonTreesAsync(daemon, args, ct).ConfigureAwait(false);
                }
                catch (RpcException e)
                {
                    return daemon.Report(e, stderr);
                }
            }

            if (NamesClientPaths(action, args))
            {
                // A path means what it means here, in the caller's view of the filesystem: dkmsd runs with a private
                // /tmp and without /home or /root (its unit's sandboxing), so it could read another file or none at
                // all, and write an archive where the caller never finds it. The same engine runs here, on the
                // daemon's trees and under the same module locks.
                return await RunInProcessAsync(action, args, output, ct).ConfigureAwait(false);
            }

            if (action == "status")
            {
                return await RemoteStatusAsync(daemon, args, output, ct).ConfigureAwait(false);
            }

            return await new RemoteAction(daemon, stdout, stderr, args.Quiet, ShowProgress(args),
                    inProcess: c => RunInProcessAsync(action, args, output, c))
                .RunAsync(RequestBuilder.Build(action, args), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A progress line only for a person at a terminal: not with --verbose (make's lines are shown), and not in a
    /// package's maintainer script, where apt hands over its terminal and keeps everything in term.log.
    /// </summary>
    private static bool ShowProgress(DkmsArguments args) =>
        !Console.IsErrorRedirected && !args.Verbose && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DPKG_MAINTSCRIPT_NAME"));

    /// <summary>True when the command line names a file or directory that the daemon would resolve in its own view.</summary>
    private static bool NamesClientPaths(string action, DkmsArguments args) =>
        args.SourcePath is not null || args.ArchivePath is not null || args.KernelSourceDir is not null || args.KernelConfig is not null
        || args.ConfFile is not null || (action is "mktarball" or "ldtarball" && args.Archive is not null);

    /// <summary>The engine in this process (no daemon, or <c>--offline</c>): the same request, the same executor as dkmsd's.</summary>
    private static async Task<int> RunInProcessAsync(string action, DkmsArguments args, DkmsOutput output, CancellationToken ct)
    {
        var distribution = SystemInfo.Distribution()
            ?? throw new DkmsException(DkmsErrorKind.FailedPrecondition, 4, "System is missing os-release file.");
        var settings = await FrameworkConfLoader.LoadAsync(new FrameworkOverrides
        {
            DkmsTree = args.DkmsTree,
            SourceTree = args.SourceTree,
            InstallTree = args.InstallTree,
            FrameworkConf = args.FrameworkConf,
            ParallelJobs = args.Jobs,
            Verbose = args.Verbose ? true : null,
            SymlinkModules = args.SymlinkModules ? true : null,
            ModprobeOnInstall = args.ModprobeOnInstall ? true : null,
        }, args.Kernels.FirstOrDefault(), cancellationToken: ct).ConfigureAwait(false);
        settings = settings with { Distribution = distribution };
        var engine = new DkmsEngine(settings, output);
        if (action == "status")
        {
            return await StatusCommand.RunAsync(engine, args, ct).ConfigureAwait(false);
        }

        var outcome = await new ActionExecutor(engine).RunAsync(RequestBuilder.Build(action, args), ct).ConfigureAwait(false);
        return outcome.ExitCode;
    }

    /// <summary>
    /// dkmsd works on its own trees; a command line that names others must run in-process, so it is
    /// refused rather than silently applied to the daemon's trees.
    /// </summary>
    private static async Task RequireSameTreesAsync(DaemonConnection daemon, DkmsArguments args, CancellationToken ct)
    {
        if (args.DkmsTree is null && args.SourceTree is null && args.InstallTree is null && args.FrameworkConf is null)
        {
            return;
        }

        var info = await daemon.Client.GetInfoAsync(new GetInfoRequest(), cancellationToken: ct).ConfigureAwait(false);
        var trees = info.Trees;
        foreach (var (option, asked, served) in new[]
                 {
                     ("--dkmstree", args.DkmsTree, trees.DkmsTree), ("--sourcetree", args.SourceTree, trees.SourceTree),
                     ("--installtree", args.InstallTree, trees.InstallTree), ("--framework-conf", args.FrameworkConf, trees.FrameworkConf),
                 })
        {
            if (asked is not null && !SamePath(asked, served))
            {
                throw new DkmsException(DkmsErrorKind.InvalidArgument, 1,
                    $"{option} {asked} differs from the tree of the dkmsd at {daemon.SocketPath} ({served}).",
                    "Add --offline to run on other trees in-process, or use --socket for a dkmsd that serves them.");
            }
        }
    }

    /// <summary>The daemon's trees for an in-process run on its behalf (the command line named none, or the same ones).</summary>
    private static async Task UseDaemonTreesAsync(DaemonConnection daemon, DkmsArguments args, CancellationToken ct)
    {
        var trees = (await daemon.Client.GetInfoAsync(new GetInfoRequest(), cancellationToken: ct).ConfigureAwait(false)).Trees;
        args.DkmsTree ??= trees.DkmsTree;
        args.SourceTree ??= trees.SourceTree;
        args.InstallTree ??= trees.InstallTree;
        args.FrameworkConf ??= trees.FrameworkConf;
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), StringComparison.Ordinal)
        || string.Equals(PathGuard.RealPath(a), PathGuard.RealPath(b), StringComparison.Ordinal);

    private async Task<int> RemoteStatusAsync(DaemonConnection daemon, DkmsArguments args, DkmsOutput output, CancellationToken ct)
    {
        var request = new StatusRequest { Module = args.Module ?? string.Empty, Version = args.Version ?? string.Empty };
        request.Kernels.Add(RequestBuilder.Kernels(args).Where(k => k.Kernel.Length > 0));
        StatusResponse response;
        try
        {
            response = await daemon.Client.StatusAsync(request, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            return daemon.Report(e, stderr);
        }

        if (args.Json)
        {
            output.Line(StatusJson.Write(response.Entries.Select(ProtoMapping.ToCore).ToList()));
            return 0;
        }

        if (!args.Quiet)
        {
            foreach (var line in response.Lines)
            {
                var writer = line.Stream == OutputStream.Stderr ? stderr : stdout;
                await writer.WriteAsync(line.NoNewline ? line.Text : line.Text + "\n").ConfigureAwait(false);
            }
        }

        return 0;
    }
}
