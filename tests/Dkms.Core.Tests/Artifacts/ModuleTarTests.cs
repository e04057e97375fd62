using System.Formats.Tar;
using Dkms.Core.Artifacts;
using Dkms.Core.Conf;

namespace Dkms.Core.Tests.Artifacts;

public sealed class ModuleTarTests : IDisposable
{
    private readonly TempDir _dir = new();

    private static DkmsConf Conf() => new()
    {
        ConfPath = "/x/dkms.conf",
        PackageName = "m",
        PackageVersion = "1",
        MakeCommand = "make",
        Modules = [new ModuleSpec(0, "a", "sub/", "a", "/updates/dkms", "/updates/dkms", true)],
    };

    [Fact]
    public void Write_Twice_ByteIdenticalAndRoundTrips()
    {
        var build = Path.Combine(_dir.Path, "build");
        _dir.Write("build/sub/a.ko", "ELF a");
        _dir.Write("build/Module.symvers", "sym");
        var log = _dir.Write("make.log", "log");
        var one = Path.Combine(_dir.Path, "1.tar");
        var two = Path.Combine(_dir.Path, "2.tar");

        ModuleTar.Write(Conf(), build, log, one);
        File.SetLastWriteTimeUtc(Path.Combine(build, "sub", "a.ko"), DateTime.UtcNow.AddDays(-3));
        ModuleTar.Write(Conf(), build, log, two);

        Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(two));
        var restored = Path.Combine(_dir.Path, "restored");
        ModuleTar.Extract(one, Conf(), restored, Path.Combine(_dir.Path, "restored.log"));
        Assert.Equal("ELF a", File.ReadAllText(Path.Combine(restored, "sub", "a.ko")));
        Assert.Equal("sym", File.ReadAllText(Path.Combine(restored, "Module.symvers")));
        Assert.Equal("log", File.ReadAllText(Path.Combine(_dir.Path, "restored.log")));
    }

    [Theory]
    [InlineData("build/../../escape.ko")]
    [InlineData("build/other.ko")]
    [InlineData("/etc/passwd")]
    public void Extract_UnexpectedEntry_Refused(string name)
    {
        var tar = Path.Combine(_dir.Path, "evil.tar");
        using (var file = File.Create(tar))
        using (var w = new TarWriter(file, TarEntryFormat.Pax))
        {
            foreach (var n in new[] { "build/sub/a.ko", "log/make.log", name })
            {
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, n) { DataStream = new MemoryStream("x"u8.ToArray()) });
            }
        }

        Assert.Throws<InvalidDataException>(() => ModuleTar.Extract(tar, Conf(), Path.Combine(_dir.Path, "b"), Path.Combine(_dir.Path, "l")));
    }

    [Fact]
    public void Extract_ModuleMissing_Refused()
    {
        var tar = Path.Combine(_dir.Path, "short.tar");
        using (var file = File.Create(tar))
        using (var w = new TarWriter(file, TarEntryFormat.Ustar))
        {
            w.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "log/make.log") { DataStream = new MemoryStream("x"u8.ToArray()) });
        }

        Assert.Throws<InvalidDataException>(() => ModuleTar.Extract(tar, Conf(), Path.Combine(_dir.Path, "b"), Path.Combine(_dir.Path, "l")));
    }

    public void Dispose() => _dir.Dispose();
}
