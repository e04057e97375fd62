using Dkms.Core.Tree;

namespace Dkms.Core.Tests.Tree;

public sealed class AtomicFilesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriteCopy_OverExistingFile_ReplacedMode644NoTemporaryLeft()
    {
        var source = _dir.Write("built/m.ko", "new");
        var target = _dir.Write("lib/updates/m.ko", "old");

        AtomicFiles.WriteCopy(source, target);

        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal((UnixFileMode)Convert.ToInt32("644", 8), File.GetUnixFileMode(target));
        Assert.Equal(["m.ko"], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(target)!).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteCopy_AsSymlink_LinkToSource()
    {
        var source = _dir.Write("built/m.ko", "new");
        var target = Path.Combine(_dir.Path, "lib", "m.ko");

        AtomicFiles.WriteCopy(source, target, asSymlink: true);

        Assert.Equal(source, new FileInfo(target).LinkTarget);
    }

    [Fact]
    public void MoveDurably_KeepsModeAndRemovesSource()
    {
        var from = _dir.Write("a/m.ko", "bytes");
        File.SetUnixFileMode(from, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var to = Path.Combine(Directory.CreateDirectory(Path.Combine(_dir.Path, "b")).FullName, "m.ko");

        AtomicFiles.MoveDurably(from, to);

        Assert.False(File.Exists(from));
        Assert.Equal("bytes", File.ReadAllText(to));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(to));
    }

    [Fact]
    public void ReplaceSymlink_OverRealDirectory_BecomesLink()
    {
        _dir.Write("dkms/m/1.0/source/dkms.conf", "binaries-only tarball");
        var link = Path.Combine(_dir.Path, "dkms", "m", "1.0", "source");

        AtomicFiles.ReplaceSymlink(link, "/usr/src/m-1.0");

        Assert.Equal("/usr/src/m-1.0", new FileInfo(link).LinkTarget);
        Assert.Equal(["source"], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(link)!).Select(Path.GetFileName));
    }

    [Fact]
    public void PublishDirectory_StagedTree_RenamedWhole()
    {
        _dir.Write("m/1.0/6.1/.tmp_x86_64_abcdef/module/m.ko", "module");
        _dir.Write("m/1.0/6.1/.tmp_x86_64_abcdef/log/make.log", "log");
        var target = Path.Combine(_dir.Path, "m", "1.0", "6.1", "x86_64");

        AtomicFiles.PublishDirectory(Path.Combine(_dir.Path, "m", "1.0", "6.1", ".tmp_x86_64_abcdef"), target);

        Assert.Equal("module", File.ReadAllText(Path.Combine(target, "module", "m.ko")));
        Assert.Equal(["x86_64"], Directory.EnumerateDirectories(Path.GetDirectoryName(target)!).Select(Path.GetFileName));
    }
}
