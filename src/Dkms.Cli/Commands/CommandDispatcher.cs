using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using Dkms.Core.Configuration;
using Dkms.Core.Errors;
using Dkms.Core.Output;
using Dkms.Core.Platform;
using Dkms.Core.Status;
using Dkms.Core.Validation;

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
            "status" => await StatusAsync(engine, args, ct).ConfigureAwait(false),
            "add" => await AddAsync(engine, args, options, ct).ConfigureAwait(false),
            "build" or "install" => await BuildOrInstallAsync(engine, action, args, options, ct).ConfigureAwait(false),
            "uninstall" or "unbuild" or "remove" => await RemovalAsync(engine, action, args, options, ct).ConfigureAwait(false),
            "autoinstall" or "kernel_postinst" => await AutoinstallAsync(engine, args, options, ct).ConfigureAwait(false),
            "mktarball" => await MakeTarballAsync(engine, args, ct).ConfigureAwait(false),
            "ldtarball" => await LoadTarballAsync(engine, args, options, ct).ConfigureAwait(false),
            "match" => await MatchAsync(engine, args, options, ct).ConfigureAwait(false),
            "generate_mok" => await engine.GenerateMokAsync(ct).ConfigureAwait(false),
            "kernel_prerm" or "kernel_preinst" => await KernelRemovalAsync(engine, action, args, options, ct).ConfigureAwait(false),
            _ => throw new DkmsException(DkmsErrorKind.FailedPrecondition, 1,
                $"The action {action} is not available in this version of dkmsctl yet."),
        };
    }

    private static async Task<int> StatusAsync(DkmsEngine engine, DkmsArguments args, CancellationToken ct)
    {
        var kernels = args.Kernels.Count > 0 ? Targets(args) : null;
        var entries = await engine.StatusAsync(args.Module, args.Version, kernels, ct: ct).ConfigureAwait(false);
        if (args.Json)
        {
            engine.Output.Line(StatusJson.Write(entries));
            return 0;
        }

        foreach (var e in entries)
        {
            engine.Output.Line(e.ToLine());
            if (e.State == ModuleState.Broken)
            {
                engine.Output.Error($"{e.Module}/{e.Version}: Missing the module source directory or the symbolic link pointing to it.",
                    "Manual intervention is required!");
            }
        }

        return 0;
    }

    private static async Task<int> AddAsync(DkmsEngine engine, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        RequireWritableTree(engine);
        if (args.SourcePath is not null)
        {
            RequireRoot();
            return (await engine.AddSourceTreeAsync(args.SourcePath, options, ct: ct).ConfigureAwait(false)).ExitCode;
        }

        if (args.ArchivePath is not null)
        {
            RequireRoot();
            return await engine.LoadTarballAsync(args.ArchivePath, options, ct).ConfigureAwait(false);
        }

        return await engine.AddAsync(RequireModule(args), options, ct).ConfigureAwait(false);
    }

    private static async Task<int> BuildOrInstallAsync(DkmsEngine engine, string action, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        if (action == "install")
        {
            RequireRoot();
        }

        RequireWritableTree(engine);
        ModuleRef mv;
        if (args.SourcePath is not null)
        {
            RequireRoot();
            var (added, addCode) = await engine.AddSourceTreeAsync(args.SourcePath, options, existingIsFine: true, register: false, ct).ConfigureAwait(false);
            if (addCode != 0)
            {
                return addCode;
            }

            mv = added;
        }
        else
        {
            mv = RequireModule(args);
            engine.RequireNotBroken(mv);
        }

        var targets = Targets(args, engine);
        var code = action == "build"
            ? await engine.BuildAsync(mv, targets, options, ct).ConfigureAwait(false)
            : await engine.InstallAsync(mv, targets, options, ct).ConfigureAwait(false);
        if (code == 0 && action == "install")
        {
            await engine.PostTransactionAsync(ct).ConfigureAwait(false);
        }

        return code;
    }

    private static async Task<int> RemovalAsync(DkmsEngine engine, string action, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        var mv = RequireModule(args);
        engine.RequireAdded(mv);
        if (action == "uninstall")
        {
            RequireRoot();
        }
        else
        {
            RequireWritableTree(engine);
        }

        var targets = args.All ? engine.BuiltTargets(mv) : Targets(args, engine);
        var code = action switch
        {
            "uninstall" => await engine.UninstallAsync(mv, targets, options, ct).ConfigureAwait(false),
            "unbuild" => await engine.UnbuildAsync(mv, targets, options, ct).ConfigureAwait(false),
            _ => await engine.RemoveAsync(mv, targets, options, ct).ConfigureAwait(false),
        };
        if (code == 0)
        {
            await engine.PostTransactionAsync(ct).ConfigureAwait(false);
        }

        return code;
    }

    private static async Task<int> AutoinstallAsync(DkmsEngine engine, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        RequireRoot();
        return await engine.AutoinstallAsync(Targets(args, engine)[0], options, ct).ConfigureAwait(false);
    }

    private static async Task<int> MakeTarballAsync(DkmsEngine engine, DkmsArguments args, CancellationToken ct)
    {
        var mv = RequireModule(args);
        engine.RequireAdded(mv);
        var targets = args.All ? engine.BuiltTargets(mv) : Targets(args, engine);
        await engine.MakeTarballAsync(mv, targets, args.Archive, args.SourceOnly, args.BinariesOnly, ct).ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> LoadTarballAsync(DkmsEngine engine, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        if (args.Force)
        {
            RequireRoot();
        }

        RequireWritableTree(engine);
        var archive = args.Archive ?? args.ArchivePath
            ?? throw new DkmsException(DkmsErrorKind.InvalidArgument, 2, "ldtarball needs an archive (--archive FILE or FILE).");
        return await engine.LoadTarballAsync(Path.GetFullPath(archive), options, ct).ConfigureAwait(false);
    }

    private static async Task<int> MatchAsync(DkmsEngine engine, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        RequireRoot();
        if (string.IsNullOrEmpty(args.TemplateKernel))
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 1, "Invalid number of parameters passed.",
                "Usage: match --templatekernel=<kernel-version> -k <kernel-version>",
                "   or: match --templatekernel=<kernel-version> -k <kernel-version> <module>");
        }

        var target = Targets(args, engine)[0];
        var template = new KernelTarget(NameValidator.Require(args.TemplateKernel, "kernel version"), target.Arch);
        var module = string.IsNullOrEmpty(args.Module) ? null : NameValidator.Require(args.Module, "module name");
        return await engine.MatchAsync(template, target, module, options, ct).ConfigureAwait(false);
    }

    private static async Task<int> KernelRemovalAsync(DkmsEngine engine, string action, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        RequireRoot();
        return await engine.KernelRemoveAsync(Targets(args, engine)[0], onlyAutoinstall: action == "kernel_preinst", options, ct)
            .ConfigureAwait(false);
    }

    /// <summary>The kernels of the command line with their arches; the running kernel when none is given.</summary>
    private static List<KernelTarget> Targets(DkmsArguments args, DkmsEngine? engine = null)
    {
        var kernels = args.Kernels.Count > 0 ? args.Kernels : [engine?.RunningKernel ?? SystemInfo.RunningKernel()];
        var list = new List<KernelTarget>(kernels.Count);
        for (var i = 0; i < kernels.Count; i++)
        {
            var arch = (i < args.KernelArches.Count ? args.KernelArches[i] : null)
                       ?? (args.Arches.Count == 1 ? args.Arches[0] : args.Arches.Count > i ? args.Arches[i] : SystemInfo.MachineArch());
            list.Add(new KernelTarget(NameValidator.Require(kernels[i], "kernel version"), NameValidator.Require(arch, "arch")));
        }

        return list;
    }

    private static ModuleRef RequireModule(DkmsArguments args)
    {
        if (string.IsNullOrEmpty(args.Module) || string.IsNullOrEmpty(args.Version))
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 1, "Arguments <module> and <module-version> are not specified.",
                "Usage: remove <module> <module-version> <kernel-version>",
                "   or: remove --all <module> <module-version>");
        }

        return new ModuleRef(args.Module, args.Version);
    }

    private static void RequireRoot()
    {
        if (!SystemInfo.IsRoot())
        {
            throw new DkmsException(DkmsErrorKind.PermissionDenied, 1, "You must be root to use this command.");
        }
    }

    private static void RequireWritableTree(DkmsEngine engine)
    {
        if (SystemInfo.IsRoot())
        {
            return;
        }

        var root = engine.Tree.Root;
        try
        {
            Directory.CreateDirectory(root);
            var probe = Path.Combine(root, $".dkms-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DkmsException(DkmsErrorKind.PermissionDenied, 1, $"No write access to DKMS tree at {root}");
        }
    }
}
