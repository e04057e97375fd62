using Dkms.Core.Actions;
using Dkms.Core.Framework;
using Dkms.Core.Output;
using Dkms.Core.Platform;

namespace Dkms.Core.Tests.Actions;

/// <summary>
/// An engine on temporary trees (dkms tree, source tree, install tree with one kernel's fake headers, an etc dir),
/// with <see cref="FakeProcessRunner"/> and made-up system facts; what it prints is kept.
/// </summary>
internal sealed class EngineFixture : IDisposable
{
    public const string Kernel = "6.1.0-99-test";
    public const string Arch = "x86_64";

    private readonly TempDir _dir = new();
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public EngineFixture()
    {
        Settings = new DkmsSettings
        {
            DkmsTree = Path.Combine(_dir.Path, "dkms"),
            SourceTree = Path.Combine(_dir.Path, "src"),
            InstallTree = Path.Combine(_dir.Path, "modules"),
            FrameworkConf = Path.Combine(_dir.Path, "etc", "framework.conf"),
            ParallelJobs = 4,
        };
        Directory.CreateDirectory(Settings.DkmsTree);
        Directory.CreateDirectory(Path.Combine(HeadersDir, "include"));
        _dir.Write("etc/framework.conf", string.Empty);
        Processes = new FakeProcessRunner(Settings.InstallTree);
        Engine = NewEngine();
    }

    public DkmsSettings Settings { get; private set; }

    public FakeProcessRunner Processes { get; }

    public DkmsEngine Engine { get; private set; }

    /// <summary>The services of <see cref="Engine"/> (its seams).</summary>
    public EngineContext Context { get; private set; } = null!;

    public static KernelTarget Target { get; } = new(Kernel, Arch);

    public string Root => _dir.Path;

    public string KernelDir => Path.Combine(Settings.InstallTree, Kernel);

    public string HeadersDir => Path.Combine(KernelDir, "build");

    public string Stdout => _stdout.ToString();

    public string Stderr => _stderr.ToString();

    /// <summary>A module source in the source tree, added: its dkms.conf, and the modules fake make writes.</summary>
    public async Task<ModuleRef> AddModuleAsync(string name, string version = "1.0", string extraConf = "", params string[] modules)
    {
        var dir = Path.Combine(Settings.SourceTree, $"{name}-{version}");
        Directory.CreateDirectory(dir);
        modules = modules.Length == 0 ? [name] : modules;
        var conf = $"PACKAGE_NAME={name}\nPACKAGE_VERSION={version}\nAUTOINSTALL=yes\n"
                   + string.Concat(modules.Select((m, i) => $"BUILT_MODULE_NAME[{i}]={m}\nDEST_MODULE_LOCATION[{i}]=/extra\n"))
                   + extraConf;
        await File.WriteAllTextAsync(Path.Combine(dir, "dkms.conf"), conf);
        await File.WriteAllLinesAsync(Path.Combine(dir, "fake-ko"), modules.Select(m => $"{m}.ko {version}"));
        var mv = new ModuleRef(name, version);
        Assert.Equal(0, await Engine.AddAsync(mv, ActionOptions.Default));
        return mv;
    }

    /// <summary>A fresh engine over the same trees and fake processes (as a host makes one per request).</summary>
    public DkmsEngine NewEngine(DkmsSettings? settings = null, SystemFacts? facts = null)
    {
        Settings = settings ?? Settings;
        var output = new DkmsOutput(_stdout, _stderr, messages: Settings.Profile.Messages);
        facts ??= new SystemFacts("5.10.0-1-running", Arch, IsRoot: true, Distribution: "debian");
        Context = new EngineContext(Settings, output, null, Processes, facts);
        Engine = new DkmsEngine(Context);
        return Engine;
    }

    /// <summary>A fresh engine that behaves as <paramref name="profile"/> (its words and rules).</summary>
    public DkmsEngine UseProfile(Core.Compat.DkmsProfile profile) => NewEngine(Settings with { Profile = profile });

    public string BuiltDir(ModuleRef mv) => Path.Combine(Settings.DkmsTree, mv.Module, mv.Version, Kernel, Arch);

    /// <summary>Where Debian's dkms installs (DEST_MODULE_LOCATION is forced to updates/dkms there).</summary>
    public string InstalledFile(string module) => Path.Combine(KernelDir, "updates", "dkms", module + ".ko");

    public string Write(string relative, string content) => _dir.Write(relative, content);

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
        _dir.Dispose();
    }
}
