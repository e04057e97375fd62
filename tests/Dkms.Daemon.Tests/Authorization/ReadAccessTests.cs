using Dkms.Core.Framework;
using Dkms.Daemon.Authorization;
using Dkms.Daemon.Options;
using Dkms.Daemon.Settings;

namespace Dkms.Daemon.Tests.Authorization;

/// <summary>ReadAccess decides as the kernel would: the first class the caller is in (owner, group, others) decides.</summary>
public sealed class ReadAccessTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("dkmsd-ra-");

    public void Dispose() => _root.Delete(recursive: true);

    private static CallerCredentials Caller(uint uid, uint gid, params uint[] groups) => new(1, uid, gid, groups);

    private string Dir(string mode, int uid, int gid)
    {
        File.SetUnixFileMode(_root.FullName, (UnixFileMode)Convert.ToInt32("755", 8));
        var dir = Directory.CreateDirectory(Path.Combine(_root.FullName, "d")).FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32(mode, 8));
        Assert.Equal(0, Chown(dir, uid, gid));
        return dir;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown(string path, int uid, int gid);

    [Theory]
    [InlineData("0755", 0, 0, 65534u, 65534u, true)] // others may list
    [InlineData("0700", 0, 0, 65534u, 65534u, false)]
    [InlineData("0750", 0, 4242, 65534u, 4242u, true)] // primary group
    [InlineData("0750", 0, 4242, 65534u, 100u, false)]
    [InlineData("0705", 1000, 0, 1000u, 1000u, true)] // the owner's bits
    [InlineData("0075", 1000, 1000, 1000u, 1000u, false)] // the owner class decides, even when group and others could
    [InlineData("0711", 0, 0, 65534u, 65534u, false)] // search is not read: the directory cannot be listed
    public void CanList_FirstMatchingClassDecides(string mode, int uid, int gid, uint callerUid, uint callerGid, bool expected)
    {
        Assert.Equal(expected, ReadAccess.CanList(Caller(callerUid, callerGid), Dir(mode, uid, gid)));
    }

    [Fact]
    public void CanList_SupplementaryGroup_CountsAsTheGroup()
    {
        Assert.True(ReadAccess.CanList(Caller(65534, 65534, 4242), Dir("0750", 0, 4242)));
    }

    [Fact]
    public void CanList_AParentWithoutSearch_HidesWhatIsBelow()
    {
        var dir = Dir("0755", 0, 0);
        File.SetUnixFileMode(_root.FullName, (UnixFileMode)Convert.ToInt32("754", 8));
        Assert.False(ReadAccess.CanList(Caller(65534, 65534), dir));
        Assert.False(ReadAccess.CanList(null, dir)); // an unknown caller is "others"
    }

    [Fact]
    public void ReadGroup_SeesATreeClosedToOthers_OthersDoNot()
    {
        var tree = Dir("0700", 0, 0);
        var context = new DaemonContext();
        context.Initialize(new DkmsSettings { DkmsTree = tree }, DateTimeOffset.UnixEpoch);
        var options = Microsoft.Extensions.Options.Options.Create(new DaemonOptions { ReadGid = 4242 });
        var access = new ReadAccess(new AuthorizationPolicy(options), context, options);

        Assert.True(access.MaySeeModule(Caller(65534, 65534, 4242), "hello"));
        Assert.False(access.MaySeeModule(Caller(65534, 65534), "hello"));
        Assert.Null(access.ModuleFilter(Caller(0, 0))); // root: no filter at all
        Assert.False(access.ModuleFilter(Caller(65534, 65534))!("hello"));
    }
}
