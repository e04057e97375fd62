using Dkms.Cli.CommandLine;
using Dkms.Cli.Remote;
using Dkms.Cli.Verbs;
using Dkms.Core.Actions;
using Dkms.Core.Commands;
using Dkms.Core.Compat;
using Dkms.Core.Framework;
using Dkms.Core.Errors;
using Dkms.Core.Output;
using Dkms.Core.Platform;
using Dkms.Core.Sandbox;
using Dkms.Protocol;
using Grpc.Core;

namespace Dkms.Cli.Commands;

/// <summary>Runs a command line: parse, dkms's checks for its verb (§2.3, §2.4), the transport, then the verb.</summary>
/// <param name="invokedAs">The name the program was started under (argv[0]), for dkms's usage line.</param>
internal sealed class CommandDispatcher(TextWriter stdout, TextWriter stderr, string programName, string? invokedAs = null)
{
    public async Task<int> RunAsync(IReadOnlyList<string> argv, CancellationToken ct = default)
    {
        DkmsArguments args;
        try
        {
            args = DkmsArgumentParser.Parse(argv);
        }
        catch (UsageException e)
        {
            await ChooseProfileAsync(null, ct).ConfigureAwait(false); // framework.conf's place is unknown: the default one
            await stderr.WriteAsync(Messages.ErrorText(e.LinesIn(Messages))).ConfigureAwait(false);
            await stderr.FlushAsync(ct).ConfigureAwait(false); // before the usage, as dkms's two streams interleave
            await stdout.WriteAsync(UsageText()).ConfigureAwait(false);
            return e.ExitCode;
        }

        if (await ChooseProfileAsync(args.FrameworkConf, ct).ConfigureAwait(false) is { } badProfile)
        {
            await stderr.WriteAsync(Messages.ErrorText(badProfile.Lines)).ConfigureAwait(false);
            return badProfile.ExitCode;
        }

        if (args.Help)
        {
            await stdout.WriteAsync(UsageText()).ConfigureAwait(false);
            return 0;
        }

        if (args.ShowVersion)
        {
            if (programName == "dkms")
            {
                await stdout.WriteLineAsync(Messages.Version).ConfigureAwait(false);
                return 0;
            }

            // dkmsctl's own: what it is, and the sandbox its in-process builds would use (framework.conf's build_sandbox).
            var sandbox = await SandboxChoice.ForAsync(await FrameworkConfLoader.LoadAsync(new FrameworkOverrides
            {
                DkmsTree = args.DkmsTree,
                FrameworkConf = args.FrameworkConf,
            }, cancellationToken: ct).ConfigureAwait(false)).ConfigureAwait(false);
            await stdout.WriteLineAsync($"dkmsctl {DkmsEngine.ToolVersion} (compatible with {Messages.Version})\n"
                + $"dkms profile: {_profile} (from {_profileSource})\n"
                + $"build sandbox: {sandbox}{(sandbox.Problem is { } why ? $" (cannot run here: {why})" : string.Empty)}").ConfigureAwait(false);
            return 0;
        }

        var output = args.Quiet
            ? new DkmsOutput(TextWriter.Null, TextWriter.Null, messages: Messages)
            : new DkmsOutput(stdout, stderr, args.Verbose, Messages);
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
            output.Report(e);
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            output.Error(e.Message);
            return 1;
        }
        catch (UsageException e)
        {
            output.Error(e.LinesIn(Messages));
            if (!args.Quiet)
            {
                await stdout.WriteAsync(UsageText()).ConfigureAwait(false);
            }

            return e.ExitCode;
        }
    }

    private DkmsProfile _profile = DkmsProfile.V30;
    private string _profileSource = "default";

    /// <summary>The words dkmsctl prints: the chosen profile's.</summary>
    private DkmsMessages Messages => _profile.Messages;

    /// <summary>
    /// Chooses the profile once, as the engine will (DKMS_COMPAT, framework.conf's dkms_compat, os-release), so that
    /// the lines printed before the engine runs (usage, -V, grammar errors) are the same release's.
    /// </summary>
    /// <returns>Null, or the error of a DKMS_COMPAT / dkms_compat that names no profile.</returns>
    private async Task<DkmsException?> ChooseProfileAsync(string? frameworkConf, CancellationToken ct)
    {
        try
        {
            var settings = await FrameworkConfLoader.LoadAsync(new FrameworkOverrides { FrameworkConf = frameworkConf }, cancellationToken: ct)
                .ConfigureAwait(false);
            (_profile, _profileSource) = (settings.Profile, settings.ProfileSource);
            return null;
        }
        catch (DkmsException)
        {
            // framework.conf's own errors are reported where it is used; the profile then comes from the rest.
            try
            {
                var choice = DkmsProfileSelector.Choose(Environment.GetEnvironmentVariable(DkmsProfileSelector.EnvironmentVariable), null);
                (_profile, _profileSource) = (choice.Profile, choice.Source);
                return null;
            }
            catch (DkmsException e)
            {
                return e;
            }
        }
    }

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
        var verb = GrammarChecks.Check(args, Messages);
        using var daemon = await Transport.OpenAsync(verb, args, programName, stderr, ct).ConfigureAwait(false);
        if (daemon is not null)
        {
            daemon.Words = Messages;
        }

        if (daemon is null)
        {
            return await RunInProcessAsync(verb, args, output, ct).ConfigureAwait(false);
        }

        try
        {
            await Transport.RequireSameTreesAsync(daemon, args, ct).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            return daemon.Report(e, stderr);
        }

        if (verb.DaemonOnly)
        {
            return await new JobVerbs(daemon, stdout, stderr).RunAsync(verb.Name, args, ct).ConfigureAwait(false);
        }

        if (verb != Verbs.Verbs.Status)
        {
            // Whatever runs in this process on the daemon's behalf (below, or when it goes away mid-request) works
            // on the daemon's trees, never on defaults that may differ from them.
            try
            {
                await Transport.UseDaemonTreesAsync(daemon, args, ct).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                return daemon.Report(e, stderr);
            }
        }

        if (verb == Verbs.Verbs.Preflight && PreflightCommand.DaemonSeesPaths(args)
            && await PreflightCommand.RunRemoteAsync(daemon, args, output, stderr, ct).ConfigureAwait(false) is { } code)
        {
            return code;
        }

        if (Transport.NamesClientPaths(verb, args) || verb == Verbs.Verbs.Preflight)
        {
            // A path means what it means here, in the caller's view of the filesystem: dkmsd runs with a private
            // /tmp and without /home or /root (its unit's sandboxing), so it could read another file or none at
            // all, and write an archive where the caller never finds it. The same engine runs here, on the
            // daemon's trees and under the same module locks. So does a preflight whose headers dkmsd cannot see,
            // or that an older dkmsd (no Preflight RPC) cannot answer.
            return await RunInProcessAsync(verb, args, output, ct).ConfigureAwait(false);
        }

        if (verb.ToCommand is not { } toCommand)
        {
            return await RemoteStatus.RunAsync(daemon, args, output, stdout, stderr, ct).ConfigureAwait(false);
        }

        return await new RemoteAction(daemon, stdout, stderr, args.Quiet, Transport.ShowProgress(args),
                inProcess: c => RunInProcessAsync(verb, args, output, c))
            .RunAsync(ProtoMapping.ToProto(toCommand(args)), ct).ConfigureAwait(false);
    }

    /// <summary>The engine in this process (no daemon, or <c>--offline</c>): the same command, the same runner as dkmsd's.</summary>
    private static async Task<int> RunInProcessAsync(Verb verb, DkmsArguments args, DkmsOutput output, CancellationToken ct)
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
            Debug = args.Debug,
            SymlinkModules = args.SymlinkModules ? true : null,
            ModprobeOnInstall = args.ModprobeOnInstall ? true : null,
        }, args.Kernels.FirstOrDefault(), cancellationToken: ct).ConfigureAwait(false);
        settings = settings with { Distribution = distribution };
        var engine = new DkmsEngine(settings, output);
        if (verb == Verbs.Verbs.Preflight)
        {
            return await PreflightCommand.RunAsync(engine, args, ct).ConfigureAwait(false);
        }

        if (verb.ToCommand is not { } toCommand)
        {
            return await StatusCommand.RunAsync(engine, args, ct).ConfigureAwait(false);
        }

        var outcome = await new CommandRunner(engine).RunAsync(toCommand(args), ct).ConfigureAwait(false);
        return outcome.ExitCode;
    }
}
