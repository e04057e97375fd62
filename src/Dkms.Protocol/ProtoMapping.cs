using Dkms.Core.Commands;
using Google.Protobuf;

namespace Dkms.Protocol;

/// <summary>
/// The one converter between the wire and Core: a request becomes a <see cref="DkmsCommand"/> as it enters dkmsd,
/// a command becomes a request as it leaves dkmsctl (and as a job records what it was asked), and status and job
/// keys cross the same way. Nothing else in the program sees both.
/// </summary>
public static partial class ProtoMapping
{
    /// <summary>The command a request names (a job's recorded request; each RPC's own message has its overload).</summary>
    public static DkmsCommand ToCommand(V1.ActionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ActionCase switch
        {
            V1.ActionRequest.ActionOneofCase.Add => ToCommand(request.Add),
            V1.ActionRequest.ActionOneofCase.Build => ToCommand(request.Build),
            V1.ActionRequest.ActionOneofCase.Install => ToCommand(request.Install),
            V1.ActionRequest.ActionOneofCase.Uninstall => ToCommand(request.Uninstall, DkmsAction.Uninstall),
            V1.ActionRequest.ActionOneofCase.Unbuild => ToCommand(request.Unbuild, DkmsAction.Unbuild),
            V1.ActionRequest.ActionOneofCase.Remove => ToCommand(request.Remove, DkmsAction.Remove),
            V1.ActionRequest.ActionOneofCase.Autoinstall => ToCommand(request.Autoinstall),
            V1.ActionRequest.ActionOneofCase.Match => ToCommand(request.Match),
            V1.ActionRequest.ActionOneofCase.MkTarball => ToCommand(request.MkTarball),
            V1.ActionRequest.ActionOneofCase.LdTarball => ToCommand(request.LdTarball),
            V1.ActionRequest.ActionOneofCase.GenerateMok => ToCommand(request.GenerateMok),
            V1.ActionRequest.ActionOneofCase.RemoveKernel => ToCommand(request.RemoveKernel),
            _ => throw new ArgumentException("The request names no action.", nameof(request)),
        };
    }

    public static AddCommand ToCommand(V1.AddRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new AddCommand(
            r.SourceCase == V1.AddRequest.SourceOneofCase.Module ? ToCore(r.Module) : null,
            r.SourceCase == V1.AddRequest.SourceOneofCase.SourceDir ? r.SourceDir : null,
            r.SourceCase == V1.AddRequest.SourceOneofCase.Archive ? r.Archive : null,
            ToCore(r.Options));
    }

    public static BuildCommand ToCommand(V1.BuildRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new BuildCommand(ToCore(r.Module), Empty(r.SourceDir), ToCore(r.Kernels), Install: false, ToCore(r.Options));
    }

    public static BuildCommand ToCommand(V1.InstallRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new BuildCommand(ToCore(r.Module), Empty(r.SourceDir), ToCore(r.Kernels), Install: true, ToCore(r.Options));
    }

    /// <summary><c>uninstall</c>, <c>unbuild</c> and <c>remove</c> share a message; the RPC says which.</summary>
    public static ModuleRemovalCommand ToCommand(V1.ModuleActionRequest r, DkmsAction removal)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new ModuleRemovalCommand(removal, ToCore(r.Module), ToCore(r.Kernels), r.All, ToCore(r.Options));
    }

    public static AutoinstallCommand ToCommand(V1.AutoinstallRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new AutoinstallCommand(ToCore(r.Kernel), ToCore(r.Options));
    }

    public static MatchCommand ToCommand(V1.MatchRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new MatchCommand(r.TemplateKernel, ToCore(r.Kernel), Empty(r.Module), ToCore(r.Options));
    }

    public static MkTarballCommand ToCommand(V1.MkTarballRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new MkTarballCommand(ToCore(r.Module), ToCore(r.Kernels), r.All, Empty(r.Archive), r.SourceOnly, r.BinariesOnly);
    }

    public static LdTarballCommand ToCommand(V1.LdTarballRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new LdTarballCommand(r.Archive, ToCore(r.Options));
    }

    public static GenerateMokCommand ToCommand(V1.GenerateMokRequest r) => new();

    public static KernelRemovalCommand ToCommand(V1.RemoveKernelRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new KernelRemovalCommand(ToCore(r.Kernel), r.OnlyAutoinstall, ToCore(r.Options));
    }

    /// <summary>The request that asks dkmsd for <paramref name="command"/> (and that its jobs record).</summary>
    public static V1.ActionRequest ToProto(DkmsCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var request = new V1.ActionRequest();
        switch (command)
        {
            case AddCommand c:
                request.Add = new V1.AddRequest { Options = ToProto(c.Options) };
                if (c.SourceDir is not null)
                {
                    request.Add.SourceDir = c.SourceDir;
                }
                else if (c.Archive is not null)
                {
                    request.Add.Archive = c.Archive;
                }
                else
                {
                    request.Add.Module = ToProto(c.Module);
                }

                break;
            case BuildCommand c:
                var build = new V1.BuildRequest { Options = ToProto(c.Options) };
                build.Kernels.Add(c.Targets.Select(ToProto));
                if (c.SourceDir is not null)
                {
                    build.SourceDir = c.SourceDir;
                }
                else
                {
                    build.Module = ToProto(c.Module);
                }

                if (c.Install)
                {
                    // InstallRequest is BuildRequest's twin (the same fields under the same numbers): one shape, two RPCs.
                    request.Install = V1.InstallRequest.Parser.ParseFrom(build.ToByteString());
                }
                else
                {
                    request.Build = build;
                }

                break;
            case ModuleRemovalCommand c:
                var removal = new V1.ModuleActionRequest { Module = c.Module is null ? null : ToProto(c.Module), All = c.All, Options = ToProto(c.Options) };
                removal.Kernels.Add(c.Targets.Select(ToProto));
                if (c.Kind == DkmsAction.Uninstall)
                {
                    request.Uninstall = removal;
                }
                else if (c.Kind == DkmsAction.Unbuild)
                {
                    request.Unbuild = removal;
                }
                else
                {
                    request.Remove = removal;
                }

                break;
            case AutoinstallCommand c:
                request.Autoinstall = new V1.AutoinstallRequest { Kernel = ToProto(c.Target), Options = ToProto(c.Options) };
                break;
            case KernelRemovalCommand c:
                request.RemoveKernel = new V1.RemoveKernelRequest
                {
                    Kernel = ToProto(c.Target), OnlyAutoinstall = c.OnlyAutoinstall, Options = ToProto(c.Options),
                };
                break;
            case MatchCommand c:
                request.Match = new V1.MatchRequest
                {
                    TemplateKernel = c.TemplateKernel, Kernel = ToProto(c.Target), Module = c.Module ?? string.Empty, Options = ToProto(c.Options),
                };
                break;
            case MkTarballCommand c:
                request.MkTarball = new V1.MkTarballRequest
                {
                    Module = c.Module is null ? null : ToProto(c.Module), All = c.All, Archive = c.Archive ?? string.Empty,
                    SourceOnly = c.SourceOnly, BinariesOnly = c.BinariesOnly,
                };
                request.MkTarball.Kernels.Add(c.Targets.Select(ToProto));
                break;
            case LdTarballCommand c:
                request.LdTarball = new V1.LdTarballRequest { Archive = c.Archive, Options = ToProto(c.Options) };
                break;
            case GenerateMokCommand:
                request.GenerateMok = new V1.GenerateMokRequest();
                break;
            default:
                throw new ArgumentException($"No request for {command.Kind}.", nameof(command));
        }

        return request;
    }

    /// <summary>What a job records as its action.</summary>
    public static V1.Action ToProto(DkmsAction action) => action switch
    {
        DkmsAction.Add => V1.Action.Add,
        DkmsAction.Build => V1.Action.Build,
        DkmsAction.Install => V1.Action.Install,
        DkmsAction.Uninstall => V1.Action.Uninstall,
        DkmsAction.Unbuild => V1.Action.Unbuild,
        DkmsAction.Remove => V1.Action.Remove,
        DkmsAction.Autoinstall => V1.Action.Autoinstall,
        DkmsAction.Match => V1.Action.Match,
        DkmsAction.MkTarball => V1.Action.Mktarball,
        DkmsAction.LdTarball => V1.Action.Ldtarball,
        DkmsAction.GenerateMok => V1.Action.GenerateMok,
        DkmsAction.RemoveKernel => V1.Action.RemoveKernel,
        _ => V1.Action.Unspecified,
    };

    /// <summary>A job's key: the unit of work it stands for.</summary>
    public static V1.JobKey ToProto(CommandUnit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return new V1.JobKey { Module = unit.Module, Version = unit.Version, Kernel = unit.Kernel, Arch = unit.Arch };
    }

    /// <summary>A kernel as given: an empty kernel or arch is resolved where the command runs (<see cref="TargetSpec"/>).</summary>
    public static V1.KernelTarget? ToProto(TargetSpec? t) => t is null ? null : new V1.KernelTarget { Kernel = t.Kernel, Arch = t.Arch };

    public static V1.KernelTarget ToProto(Core.Actions.KernelTarget t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return new V1.KernelTarget { Kernel = t.Kernel, Arch = t.Arch };
    }

    public static V1.ModuleRef ToProto(Core.Actions.ModuleRef mv)
    {
        ArgumentNullException.ThrowIfNull(mv);
        return new V1.ModuleRef { Name = mv.Module, Version = mv.Version };
    }

    /// <summary>A module as given; null becomes the empty reference (dkms's usage follows where it runs).</summary>
    public static V1.ModuleRef ToProto(ModuleArg? m) => new() { Name = m?.Name ?? string.Empty, Version = m?.Version ?? string.Empty };

    public static V1.ActionOptions ToProto(CommandOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var proto = new V1.ActionOptions
        {
            Force = o.Engine.Force,
            ForceVersionOverride = o.Engine.ForceVersionOverride,
            NoDepmod = o.Engine.NoDepmod,
            KernelSourceDir = o.Engine.KernelSourceDir ?? string.Empty,
            KernelConfig = o.Engine.KernelConfig ?? string.Empty,
            ConfFile = o.Engine.ConfFile ?? string.Empty,
            Verbose = o.Verbose,
            Debug = o.Debug,
            SymlinkModules = o.SymlinkModules,
            ModprobeOnInstall = o.ModprobeOnInstall,
        };
        proto.Directives.Add(o.Engine.Directives);
        if (o.ParallelJobs is { } jobs)
        {
            proto.ParallelJobs = (uint)jobs;
        }

        return proto;
    }

    /// <summary>A request's options; none are the defaults.</summary>
    public static CommandOptions ToCore(V1.ActionOptions? o) => o is null
        ? CommandOptions.Default
        : new CommandOptions
        {
            Engine = new Core.Actions.ActionOptions
            {
                Force = o.Force,
                ForceVersionOverride = o.ForceVersionOverride,
                NoDepmod = o.NoDepmod,
                KernelSourceDir = Empty(o.KernelSourceDir),
                KernelConfig = Empty(o.KernelConfig),
                ConfFile = Empty(o.ConfFile),
                Directives = [.. o.Directives],
            },
            ParallelJobs = o.HasParallelJobs ? (int)o.ParallelJobs : null,
            Verbose = o.Verbose,
            Debug = o.Debug,
            SymlinkModules = o.SymlinkModules,
            ModprobeOnInstall = o.ModprobeOnInstall,
        };

    public static V1.StatusEntry ToProto(Core.Status.StatusEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var entry = new V1.StatusEntry
        {
            Module = new V1.ModuleRef { Name = e.Module, Version = e.Version },
            State = e.State switch
            {
                Core.Status.ModuleState.Added => V1.ModuleState.Added,
                Core.Status.ModuleState.Built => V1.ModuleState.Built,
                Core.Status.ModuleState.Installed => V1.ModuleState.Installed,
                _ => V1.ModuleState.Broken,
            },
        };
        if (e.Kernel is not null)
        {
            entry.Target = new V1.KernelTarget { Kernel = e.Kernel, Arch = e.Arch ?? string.Empty };
        }

        entry.Notes.AddRange(e.Suffixes.Select(s => s.Trim('(', ')')));
        entry.ContentKey = e.ContentKey ?? string.Empty;
        entry.Origin = e.Origin ?? string.Empty;
        return entry;
    }

    /// <summary>A status entry back in the engine's form (for <c>status --json</c> from dkmsd's answer).</summary>
    public static Core.Status.StatusEntry ToCore(V1.StatusEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var state = e.State switch
        {
            V1.ModuleState.Added => Core.Status.ModuleState.Added,
            V1.ModuleState.Built => Core.Status.ModuleState.Built,
            V1.ModuleState.Installed => Core.Status.ModuleState.Installed,
            _ => Core.Status.ModuleState.Broken,
        };
        return new Core.Status.StatusEntry(e.Module.Name, e.Module.Version, e.Target?.Kernel, e.Target?.Arch, state,
            [.. e.Notes.Select(n => $"({n})")])
        {
            ContentKey = e.ContentKey.Length > 0 ? e.ContentKey : null,
            Origin = e.Origin.Length > 0 ? e.Origin : null,
        };
    }

    private static ModuleArg? ToCore(V1.ModuleRef? m) => m is null ? null : new ModuleArg(m.Name, m.Version);

    private static TargetSpec? ToCore(V1.KernelTarget? k) => k is null ? null : new TargetSpec(k.Kernel, k.Arch);

    private static List<TargetSpec> ToCore(IEnumerable<V1.KernelTarget> kernels) => kernels.Select(k => new TargetSpec(k.Kernel, k.Arch)).ToList();

    private static string? Empty(string value) => value.Length == 0 ? null : value;
}
