using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using Dkms.Core.Configuration;
using Dkms.Core.Errors;
using Dkms.Core.Output;
using Dkms.Core.Platform;

namespace Dkms.Cli.Commands;

/// <summary>Checks a parsed command line against dkms's per-action rules (§2.3, §2.4) and runs it.</summary>
internal sealed class CommandDispatcher(TextWriter stdout, TextWriter stderr, string programName)
{
    /// <summary>The version dkmsctl reports under the name <c>dkms</c>, for scripts that parse it.</summary>
    public const string CompatibleDkmsVersion = "dkms-3.0.10";

    private static readonly HashSet<string> NeedsModuleVersion = new(StringComparer.Ordinal) { "remove", "unbuild", "uninstall", "mktarball" };
    private static readonly HashSet<string> NoAll = new(StringComparer.Ordinal)
    {
        "add", "build", "install", "autoinstall", "match", "kernel_preinst", "kernel_postinst", "kernel_prerm",
    };

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
            await stderr.WriteAsync($"\nError! {e.Message}\n").ConfigureAwait(false);
            await stdout.WriteAsync(Usage.Text(programName)).ConfigureAwait(false);
            return e.ExitCode;
        }

        if (args.Help)
        {
            await stdout.WriteAsync(Usage.Text(programName)).ConfigureAwait(false);
            return 0;
        }

        if (args.ShowVersion)
        {
            await stdout.WriteLineAsync(programName == "dkms" ? CompatibleDkmsVersion : $"dkmsctl {DkmsEngine.ToolVersion} (compatible with {CompatibleDkmsVersion})")
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
            output.Error(e.Message);
            if (!args.Quiet)
            {
                await stdout.WriteAsync(Usage.Text(programName)).ConfigureAwait(false);
            }

            return e.ExitCode;
        }
    }

    private static async Task<int> DispatchAsync(DkmsArguments args, DkmsOutput output, CancellationToken ct)
    {
        if (args.Actions.Count > 1)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 4, "Only one action may be specified.");
        }

        var action = args.Action ?? throw new UsageException(2, args.Module is null && args.SourcePath is null
            ? "No action specified."
            : "Unknown action specified: \"\"");
        if (args.BinariesOnly && args.SourceOnly)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 8, "You have specified both --binaries-only and --source-only.",
                "You cannot do this.");
        }

        if (args.Arches.Count > 1 && args.Arches.Count != args.Kernels.Count)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 1, "If more than one arch is specified on the command line, then there",
                "must be an equal number of kernel versions also specified (1:1 relationship).");
        }

        if (args.All && args.Kernels.Count > 0)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 2, "You cannot specify a kernel version and also specify",
                "--all on the command line.");
        }

        if (args.All && args.Arches.Count > 0)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 3, "You cannot specify an arch and also specify",
                "--all on the command line.");
        }

        if (action.StartsWith("kernel_", StringComparison.Ordinal) && args.Kernels.Count != 1)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 4,
                $"The action {action} requires exactly one kernel version parameter on the command line.");
        }

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
        var options = new ActionOptions
        {
            Force = args.Force,
            ForceVersionOverride = args.ForceVersionOverride,
            NoDepmod = args.NoDepmod,
            KernelSourceDir = args.KernelSourceDir,
            KernelConfig = args.KernelConfig,
            ConfFile = args.ConfFile,
            Directives = args.Directives,
            AllKernels = args.All,
        };

        if (NoAll.Contains(action) && args.All)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 5, $"The action {action} does not support the --all parameter.");
        }

        if (OneKernel.Contains(action) && args.Kernels.Count > 1)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 4,
                $"The action {action} does not support multiple kernel version parameters on the command line.");
        }

        return action switch
        {
            "status" => await StatusCommand.RunAsync(engine, action, args, options, ct).ConfigureAwait(false),
            "add" => await AddCommand.RunAsync(engine, action, args, options, ct).ConfigureAwait(false),
            "build" or "install" => await BuildInstallCommand.RunAsync(engine, action, args, options, ct).ConfigureAwait(false),
            "uninstall" or "unbuild" or "remove" => await RemovalCommand.RunAsync(engine, action, args, options, ct).ConfigureAwait(false),
            "autoinstall" or "kernel_postinst" => await AutoinstallCommand.RunAsync(engine, action, args, options, ct).ConfigureAwait(false),
            "mktarball" => await MkTarballCommand.RunAsync(engine, action, args, options, ct).ConfigureAwait(false),
            "ldtarball" => await LdTarballCommand.RunAsync(engine, action, args, options, ct).ConfigureAwait(false),
            "match" => await MatchCommand.RunAsync(engine, action, args, options, ct).ConfigureAwait(false),
            "generate_mok" => await engine.GenerateMokAsync(ct).ConfigureAwait(false),
            "kernel_prerm" or "kernel_preinst" => await KernelRemovalCommand.RunAsync(engine, action, args, options, ct).ConfigureAwait(false),
            _ => throw new DkmsException(DkmsErrorKind.FailedPrecondition, 1,
                $"The action {action} is not available in this version of dkmsctl yet."),
        };
    }

}
