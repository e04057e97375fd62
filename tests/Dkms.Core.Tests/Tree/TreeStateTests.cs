using Dkms.Core.Actions;
using Dkms.Core.Framework;
using Dkms.Core.Tree;

namespace Dkms.Core.Tests.Tree;

public sealed class TreeStateTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private TreeState State => new(new DkmsTree(new DkmsSettings { DkmsTree = Path.Combine(_dir.Path, "dkms"), SourceTree = Path.Combine(_dir.Path, "src") }));

    [Fact]
    public void KernelDirs_SkipsSourceBuildStagingAndHidden_InCLocaleOrder()
    {
        foreach (var d in new[] { "m/1.0/source", "m/1.0/build", "m/1.0/tarball", "m/1.0/6.1.0-2/x86_64/module", "m/1.0/6.1.0-10/x86_64/module",
                     "m/1.0/6.1.0-2/.tmp_x86_64_abcdef", "m/1.0/6.1.0-2/aarch64" })
        {
            Directory.CreateDirectory(Path.Combine(_dir.Path, "dkms", d));
        }

        var all = State.KernelDirs("m", "1.0").Select(t => $"{t.Kernel}/{t.Arch}");
        var built = State.BuiltTargets(new ModuleRef("m", "1.0")).Select(t => $"{t.Kernel}/{t.Arch}");
        var oneArch = State.KernelDirs("m", "1.0", new KernelTarget("6.1.0-2", "aarch64")).Select(t => $"{t.Kernel}/{t.Arch}");

        Assert.Equal(["6.1.0-10/x86_64", "6.1.0-2/aarch64", "6.1.0-2/x86_64"], all);
        Assert.Equal(["6.1.0-2/x86_64", "6.1.0-10/x86_64"], built); // sort -V, and only with module/
        Assert.Equal(["6.1.0-2/aarch64"], oneArch);
    }

    [Fact]
    public void ListVersions_SkipsKernelLinksOriginalsAndBadNames()
    {
        foreach (var d in new[] { "m/1.0", "m/original_module", "m/2.0", ".locks/x", "bad name/1.0" })
        {
            Directory.CreateDirectory(Path.Combine(_dir.Path, "dkms", d));
        }

        File.CreateSymbolicLink(Path.Combine(_dir.Path, "dkms", "m", "kernel-6.1.0-2-x86_64"), "1.0/6.1.0-2/x86_64");

        Assert.Equal([("m", "1.0"), ("m", "2.0")], State.ListVersions());
    }

    [Fact]
    public void CleanStaleStaging_RemovesStagingAndEmptyKernelDirs_KeepsBuilds()
    {
        foreach (var d in new[] { "m/1.0/6.1.0-2/.tmp_x86_64_abcdef/module", "m/1.0/6.1.0-3/.tmp_x86_64_123456", "m/1.0/6.1.0-4/x86_64/module" })
        {
            Directory.CreateDirectory(Path.Combine(_dir.Path, "dkms", d));
        }

        StaleWork.CleanStaleStaging(State, "m", "1.0");

        Assert.Equal(["6.1.0-4"], Directory.EnumerateDirectories(Path.Combine(_dir.Path, "dkms", "m", "1.0")).Select(Path.GetFileName));
    }
}
