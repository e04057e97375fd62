using Dkms.Cli.CommandLine;
using Dkms.Protocol.V1;

namespace Dkms.Cli.Commands;

/// <summary>
/// dkms's command line as one <see cref="ActionRequest"/>: the same message goes to dkmsd or to the
/// in-process engine. Only the shape is decided here; dkms's checks run where the engine runs.
/// </summary>
internal static class RequestBuilder
{
    public static ActionRequest Build(string action, DkmsArguments args)
    {
        var options = Options(args);
        var kernels = Kernels(args);
        var module = args.Module is null ? null : new ModuleRef { Name = args.Module, Version = args.Version ?? string.Empty };
        var request = new ActionRequest();
        switch (action)
        {
            case "add":
                request.Add = new AddRequest { Options = options };
                if (args.SourcePath is not null)
                {
                    request.Add.SourceDir = args.SourcePath;
                }
                else if (args.ArchivePath is not null)
                {
                    request.Add.Archive = args.ArchivePath;
                }
                else
                {
                    request.Add.Module = module ?? new ModuleRef();
                }

                break;
            case "build":
                request.Build = new BuildRequest { Options = options };
                request.Build.Kernels.Add(kernels);
                if (args.SourcePath is not null)
                {
                    request.Build.SourceDir = args.SourcePath;
                }
                else
                {
                    request.Build.Module = module ?? new ModuleRef();
                }

                break;
            case "install":
                request.Install = new InstallRequest { Options = options };
                request.Install.Kernels.Add(kernels);
                if (args.SourcePath is not null)
                {
                    request.Install.SourceDir = args.SourcePath;
                }
                else
                {
                    request.Install.Module = module ?? new ModuleRef();
                }

                break;
            case "uninstall":
                request.Uninstall = ModuleAction(module, kernels, args, options);
                break;
            case "unbuild":
                request.Unbuild = ModuleAction(module, kernels, args, options);
                break;
            case "remove":
                request.Remove = ModuleAction(module, kernels, args, options);
                break;
            case "autoinstall" or "kernel_postinst":
                request.Autoinstall = new AutoinstallRequest { Kernel = kernels.FirstOrDefault(), Options = options };
                break;
            case "kernel_prerm" or "kernel_preinst":
                request.RemoveKernel = new RemoveKernelRequest
                {
                    Kernel = kernels.FirstOrDefault(), OnlyAutoinstall = action == "kernel_preinst", Options = options,
                };
                break;
            case "match":
                request.Match = new MatchRequest
                {
                    TemplateKernel = args.TemplateKernel ?? string.Empty, Kernel = kernels.FirstOrDefault(),
                    Module = args.Module ?? string.Empty, Options = options,
                };
                break;
            case "mktarball":
                request.MkTarball = new MkTarballRequest
                {
                    Module = module, All = args.All, Archive = args.Archive ?? string.Empty,
                    SourceOnly = args.SourceOnly, BinariesOnly = args.BinariesOnly,
                };
                request.MkTarball.Kernels.Add(kernels);
                break;
            case "ldtarball":
                request.LdTarball = new LdTarballRequest { Archive = args.Archive ?? args.ArchivePath ?? string.Empty, Options = options };
                break;
            case "generate_mok":
                request.GenerateMok = new GenerateMokRequest();
                break;
            default:
                throw new ArgumentException($"No request for the action {action}.", nameof(action));
        }

        return request;
    }

    /// <summary>
    /// The kernels of the command line with their arches (<c>-k k/a</c>, else <c>-a</c> in order); an empty
    /// kernel or arch is resolved by the engine (the running kernel, the machine's arch).
    /// </summary>
    public static List<KernelTarget> Kernels(DkmsArguments args)
    {
        var list = new List<KernelTarget>();
        if (args.Kernels.Count == 0)
        {
            if (args.Arches.Count > 0)
            {
                list.Add(new KernelTarget { Arch = args.Arches[0] });
            }

            return list;
        }

        for (var i = 0; i < args.Kernels.Count; i++)
        {
            var arch = (i < args.KernelArches.Count ? args.KernelArches[i] : null)
                       ?? (args.Arches.Count == 1 ? args.Arches[0] : args.Arches.ElementAtOrDefault(i));
            list.Add(new KernelTarget { Kernel = args.Kernels[i], Arch = arch ?? string.Empty });
        }

        return list;
    }

    private static ModuleActionRequest ModuleAction(ModuleRef? module, List<KernelTarget> kernels, DkmsArguments args, ActionOptions options)
    {
        var r = new ModuleActionRequest { Module = module, All = args.All, Options = options };
        r.Kernels.Add(kernels);
        return r;
    }

    private static ActionOptions Options(DkmsArguments args)
    {
        var o = new ActionOptions
        {
            Force = args.Force,
            ForceVersionOverride = args.ForceVersionOverride,
            NoDepmod = args.NoDepmod,
            KernelSourceDir = args.KernelSourceDir ?? string.Empty,
            KernelConfig = args.KernelConfig ?? string.Empty,
            ConfFile = args.ConfFile ?? string.Empty,
            Verbose = args.Verbose,
            SymlinkModules = args.SymlinkModules,
            ModprobeOnInstall = args.ModprobeOnInstall,
        };
        o.Directives.Add(args.Directives);
        if (args.Jobs is { } jobs)
        {
            o.ParallelJobs = (uint)jobs;
        }

        return o;
    }
}
