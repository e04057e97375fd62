namespace Dkms.Package.Tests.Infrastructure;

/// <summary>
/// A fresh, private copy of the cached root, untarred under /var/tmp/dkmsd-containers/NAME/ (never /tmp: a root is
/// 600 MB and grows with every kernel a flow installs). Disposing removes it, on failure too.
/// </summary>
internal sealed class RootCopy : IAsyncDisposable
{
    public const string Parent = "/var/tmp/dkmsd-containers";

    /// <summary>0644.</summary>
    public const UnixFileMode Regular = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>0755.</summary>
    public const UnixFileMode Executable = Regular | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private static readonly TimeSpan UntarTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RemoveTimeout = TimeSpan.FromMinutes(5);

    // Held for the copy's whole life: a copy whose lock is free belongs to a run that died (see StaleCopies).
    private readonly FileLock _owner;

    private RootCopy(string directory, FileLock owner)
    {
        Directory = directory;
        _owner = owner;
    }

    /// <summary>The per-container directory: root/ and the nspawn console log.</summary>
    public string Directory { get; }

    /// <summary>The container's root filesystem.</summary>
    public string Root => Path.Combine(Directory, "root");

    /// <summary>Where nspawn's console (the boot messages) is written.</summary>
    public string ConsoleLog => Path.Combine(Directory, "console.log");

    public static async Task<RootCopy> UntarAsync(string tar, string name)
    {
        var directory = Path.Combine(Parent, name);
        var owner = await FileLock.AcquireAsync(directory + ".lock", TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        var copy = new RootCopy(directory, owner);
        try
        {
            System.IO.Directory.CreateDirectory(copy.Root);
            // Numeric ids: the root's users (_apt, systemd-journal, ...) must not be mapped to the host's names.
            await HostProcess.RunCheckedAsync("tar", ["-C", copy.Root, "--numeric-owner", "-xf", tar], UntarTimeout).ConfigureAwait(false);
            return copy;
        }
        catch
        {
            await copy.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Writes a file at a path inside the root (creating its directory) with the given mode.</summary>
    public void WriteFile(string containerPath, string content, UnixFileMode mode = Regular)
    {
        var path = Replaceable(containerPath);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
    }

    /// <summary>Copies a host file to a path inside the root.</summary>
    public void CopyIn(string hostPath, string containerPath)
    {
        File.Copy(hostPath, Replaceable(containerPath));
    }

    /// <summary>Makes a path inside the root point at /dev/null (how systemctl masks a unit).</summary>
    public void Mask(string containerPath) => File.CreateSymbolicLink(Replaceable(containerPath), "/dev/null");

    /// <summary>The host path of a path inside the container.</summary>
    public string HostPath(string containerPath) => Path.Combine(Root, containerPath.TrimStart('/'));

    // The host path of a file about to be written, with whatever was there removed first: a symlink in the root
    // (resolv.conf often is one) must be replaced, never written through, or an absolute target would be the host's.
    private string Replaceable(string containerPath)
    {
        var path = HostPath(containerPath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // --one-file-system: should anything still be mounted below (it never is once nspawn has exited: its
            // mounts live in its own namespace), rm stops at it instead of deleting through it.
            await HostProcess.RunAsync("rm", ["-rf", "--one-file-system", Directory], RemoveTimeout).ConfigureAwait(false);
            File.Delete(Directory + ".lock");
        }
        finally
        {
            _owner.Dispose();
        }
    }
}
