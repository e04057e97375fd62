namespace Dkms.Daemon.Tests.Infrastructure;

/// <summary>
/// A dpkg database of a test's own (dkmsd <c>--dpkg-admindir</c>): the lock files apt and dpkg hold (fcntl
/// record locks, as they take them), <c>info/&lt;package&gt;.list</c> and <c>status</c>. The machine's own
/// /var/lib/dpkg is never read by the daemon under test.
/// </summary>
internal sealed class FakeDpkg
{
    private readonly string _adminDir;

    private FakeDpkg(string adminDir) => _adminDir = adminDir;

    public static FakeDpkg Create(string adminDir)
    {
        Directory.CreateDirectory(Path.Combine(adminDir, "info"));
        File.WriteAllText(Path.Combine(adminDir, "status"), string.Empty);
        File.WriteAllText(Path.Combine(adminDir, "lock"), string.Empty);
        File.WriteAllText(Path.Combine(adminDir, "lock-frontend"), string.Empty);
        return new FakeDpkg(adminDir);
    }

    /// <summary>Holds dpkg's lock (a write lock, F_SETLK) until disposed.</summary>
    public IDisposable Lock()
    {
        var stream = new FileStream(Path.Combine(_adminDir, "lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        stream.Lock(0, 1);
        return stream;
    }

    /// <summary>dpkg unpacked <paramref name="package"/>, which ships <paramref name="path"/>; not configured yet.</summary>
    public void Unpack(string package, string path)
    {
        File.WriteAllText(Path.Combine(_adminDir, "info", package + ".list"), $"/.\n{Path.GetDirectoryName(path)}\n{path}\n{path}/dkms.conf\n");
        SetStatus(package, "install ok unpacked");
    }

    /// <summary>dpkg ran the package's postinst successfully.</summary>
    public void Configure(string package) => SetStatus(package, "install ok installed");

    private void SetStatus(string package, string status)
    {
        var file = Path.Combine(_adminDir, "status");
        var stanzas = File.ReadAllText(file).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(s => !s.StartsWith($"Package: {package}\n", StringComparison.Ordinal))
            .Append($"Package: {package}\nStatus: {status}\nVersion: 1.0");
        File.WriteAllText(file, string.Join("\n\n", stanzas) + "\n");
    }
}
