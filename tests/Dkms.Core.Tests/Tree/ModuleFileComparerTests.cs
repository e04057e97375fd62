using Dkms.Core.Tree;

namespace Dkms.Core.Tests.Tree;

public sealed class ModuleFileComparerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FilesEqual_SameStamps_ComparedOnce_ReplacedFile_ComparedAgain()
    {
        var a = _dir.Write("built.ko", "same");
        var b = _dir.Write("installed.ko", "same");
        var calls = 0;
        bool Compare(string x, string y)
        {
            calls++;
            return File.ReadAllText(x) == File.ReadAllText(y);
        }

        var comparer = new ModuleFileComparer(Compare);

        Assert.True(comparer.FilesEqual(a, b));
        Assert.True(comparer.FilesEqual(a, b));
        File.WriteAllText(b, "diff");
        File.SetLastWriteTimeUtc(b, DateTime.UtcNow.AddMinutes(1)); // what an install's rename brings

        Assert.False(comparer.FilesEqual(a, b));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void BytesEqual_SameLengthDifferentBytes_False()
    {
        var a = _dir.Write("a.ko", "abcd");
        var b = _dir.Write("b.ko", "abce");

        Assert.False(ModuleFileComparer.BytesEqual(a, b));
        Assert.True(ModuleFileComparer.BytesEqual(a, _dir.Write("c.ko", "abcd")));
    }
}
