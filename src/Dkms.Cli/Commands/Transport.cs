using Dkms.Cli.CommandLine;
using Dkms.Cli.Remote;
using Dkms.Cli.Verbs;
using Dkms.Core.Errors;
using Dkms.Core.Validation;
using Dkms.Protocol.V1;

namespace Dkms.Cli.Commands;

/// <summary>Where a verb runs: on dkmsd, or in this process (<c>--offline</c>, no daemon, paths only the caller sees).</summary>
internal static class Transport
{
    /// <summary>
    /// A connection to dkmsd for <paramref name="verb"/>, or null when it runs in-process: asked to, or no daemon
    /// answers (then a daemon-only verb fails, and dkmsctl says it runs in-process).
    /// </summary>
    public static async Task<DaemonConnection?> OpenAsync(Verb verb, DkmsArguments args, string programName, TextWriter stderr, CancellationToken ct)
    {
        if (DaemonConnection.OfflineRequested(args) && !verb.DaemonOnly)
        {
            return null;
        }

        var socket = DaemonConnection.SocketPathFor(args);
        var (daemon, problem) = await DaemonConnection.TryOpenAsync(socket, ct).ConfigureAwait(false);
        if (daemon is not null)
        {
            return daemon;
        }

        if (verb.DaemonOnly)
        {
            throw new DkmsException(DkmsErrorKind.FailedPrecondition, 1, $"dkmsd is not running ({problem}).",
                $"'{programName} {verb.Name}' needs the daemon: start it (systemctl start dkmsd) or name its socket with --socket.");
        }

        if (programName != "dkms" || args.Verbose)
        {
            // As dkms, the daemon is an optional accelerator: scripts that capture dkms's output see only dkms's lines.
            await stderr.WriteLineAsync($"{programName}: dkmsd is not running ({problem}); running in-process.").ConfigureAwait(false);
            await stderr.FlushAsync(ct).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>
    /// A progress line only for a person at a terminal: not with --verbose (make's lines are shown), and not in a
    /// package's maintainer script, where apt hands over its terminal and keeps everything in term.log.
    /// </summary>
    public static bool ShowProgress(DkmsArguments args) =>
        !Console.IsErrorRedirected && !args.Verbose && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DPKG_MAINTSCRIPT_NAME"));

    /// <summary>True when the command line names a file or directory that the daemon would resolve in its own view.</summary>
    public static bool NamesClientPaths(Verb verb, DkmsArguments args) =>
        args.SourcePath is not null || args.ArchivePath is not null || args.KernelSourceDir is not null || args.KernelConfig is not null
        || args.ConfFile is not null || (verb.Name is "mktarball" or "ldtarball" && args.Archive is not null);

    /// <summary>
    /// dkmsd works on its own trees; a command line that names others must run in-process, so it is
    /// refused rather than silently applied to the daemon's trees.
    /// </summary>
    public static async Task RequireSameTreesAsync(DaemonConnection daemon, DkmsArguments args, CancellationToken ct)
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
    public static async Task UseDaemonTreesAsync(DaemonConnection daemon, DkmsArguments args, CancellationToken ct)
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
}
