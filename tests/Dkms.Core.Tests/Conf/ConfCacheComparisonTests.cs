using Dkms.Core.Conf;

namespace Dkms.Core.Tests.Conf;

public sealed class ConfCacheComparisonTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FilesEqual_SameStamps_ComparedOnce_ReplacedFile_ComparedAgain()
    {
        var a = _dir.Write("built.ko", "same");
        var b = _dir.Write("installed.ko", "same");
        var cache = new ConfCache();
        var calls = 0;
        bool Compare(string x, string y)
        {
            calls++;
            return File.ReadAllText(x) == File.ReadAllText(y);
        }

        Assert.True(cache.FilesEqual(a, b, Compare));
        Assert.True(cache.FilesEqual(a, b, Compare));
        File.WriteAllText(b, "diff");
        File.SetLastWriteTimeUtc(b, DateTime.UtcNow.AddMinutes(1)); // what an install's rename brings

        Assert.False(cache.FilesEqual(a, b, Compare));
        Assert.Equal(2, calls);
    }
}
