using Dkms.Core.Artifacts;
using Dkms.Core.Build;
using Dkms.Core.Conf;
using Dkms.Core.Framework;
using Dkms.Core.Install;
using Dkms.Core.Output;
using Dkms.Core.Platform;
using Dkms.Core.Processes;
using Dkms.Core.Sandbox;
using Dkms.Core.Signing;
using Dkms.Core.Status;
using Dkms.Core.Tarballs;
using Dkms.Core.Tree;

namespace Dkms.Core.Actions;

/// <summary>
/// The services the dkms actions share for one request: the trees, what is printed, the processes, and the
/// machine's facts. The real process runner and <see cref="SystemFacts.Host"/> unless a test passes others.
/// </summary>
public sealed class EngineContext
{
    public EngineContext(DkmsSettings settings, DkmsOutput output, ConfCache? confCache = null)
        : this(settings, output, confCache, Runner(settings, output), SystemFacts.Host,
            new PackageCodeRunner(ProcessRunner.Default, settings, output))
    {
    }

    /// <summary>
    /// The real process runner; with <c>--debug</c>, one that traces each program on stderr (package code traces itself,
    /// the step as the package wrote it rather than the sandbox's wrapping).
    /// </summary>
    private static IProcessRunner Runner(DkmsSettings settings, DkmsOutput output) =>
        settings?.Debug == true ? new TracingProcessRunner(ProcessRunner.Default, output) : ProcessRunner.Default;

    /// <summary>
    /// For testing: a fake process runner (make, depmod, modinfo, sign-file) and made-up system facts; package code
    /// runs through <paramref name="packageCode"/> (by default the same fake, unsandboxed).
    /// </summary>
    internal EngineContext(DkmsSettings settings, DkmsOutput output, ConfCache? confCache, IProcessRunner processes, SystemFacts facts,
        PackageCodeRunner? packageCode = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        Settings = settings;
        Output = output;
        Processes = processes;
        Facts = facts;
        Tree = new DkmsTree(settings);
        State = new TreeState(Tree);
        ConfCache = confCache ?? new ConfCache();
        PackageCode = packageCode;
        IProcessRunner package = packageCode is null ? processes : packageCode;
        Confs = new ModuleConfs(Tree, ConfCache, output, facts.RunningKernel, package);
        Log = new BuildLog(settings, output, processes);
        Hooks = new Hooks(settings, output, processes);
        BuildHooks = new Hooks(settings, output, package);
        Signer = new ModuleSigner(Tree, output, processes, facts);
        Steps = new BuildSteps(settings, output, new BuildLog(settings, output, package));
        Publisher = new ModulePublisher(Tree, Log, Signer, processes);
        Originals = new OriginalModules(Tree, output);
        Versions = new VersionCheck(Tree, processes);
        Depmod = new Depmod(settings, output, Log);
        Status = new StatusReader(State, Confs, settings.Profile);
        Tarballs = new TarballMaker(Tree, output, Log);
        Artifacts = new ModuleArtifacts(settings, output, processes);
    }

    public DkmsSettings Settings { get; }

    /// <summary>The dkms release behaved as (the settings' one choice); its words are <see cref="Output"/>'s.</summary>
    public Compat.DkmsProfile Profile => Settings.Profile;

    /// <summary>Where dkms's messages go.</summary>
    public DkmsOutput Output { get; }

    public IProcessRunner Processes { get; }

    public SystemFacts Facts { get; }

    /// <summary>The paths of the dkms tree, the source tree and the install tree.</summary>
    public DkmsTree Tree { get; }

    /// <summary>What the tree says (added, built, installed, the m/v/k/a walk).</summary>
    public TreeState State { get; }

    /// <summary>Evaluated dkms.conf files (and module comparisons); a long-running host shares one between requests.</summary>
    public ConfCache ConfCache { get; }

    /// <summary>dkms status from the tree.</summary>
    public StatusReader Status { get; }

    /// <summary>Signing decisions (per kernel/arch, once) and the signing itself.</summary>
    public ModuleSigner Signer { get; }

    internal ModuleConfs Confs { get; }

    internal BuildLog Log { get; }

    internal Hooks Hooks { get; }

    internal BuildSteps Steps { get; }

    /// <summary>PRE_BUILD and POST_BUILD: package code, run like <see cref="Steps"/> (the other hooks configure the system, as root).</summary>
    internal Hooks BuildHooks { get; }

    /// <summary>Runs package code in the build sandbox; null when a test runs everything through its fake.</summary>
    public PackageCodeRunner? PackageCode { get; }

    internal ModulePublisher Publisher { get; }

    internal OriginalModules Originals { get; }

    internal VersionCheck Versions { get; }

    /// <summary>depmod for one kernel, with dkms's line (what a batch runs once per kernel).</summary>
    public Depmod Depmod { get; }

    internal TarballMaker Tarballs { get; }

    /// <summary>Content keys, the local artifact cache and the fleet's registry.</summary>
    internal ModuleArtifacts Artifacts { get; }

    /// <summary>
    /// Copies a built module into the install tree (source, target, as a symlink): <see cref="AtomicFiles.WriteCopy"/>;
    /// a test makes it fail midway (a disk that fills up).
    /// </summary>
    internal Action<string, string, bool> CopyModule { get; set; } = AtomicFiles.WriteCopy;
}
