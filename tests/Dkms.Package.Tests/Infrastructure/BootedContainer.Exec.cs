using System.Globalization;

namespace Dkms.Package.Tests.Infrastructure;

/// <summary>Running commands inside the booted container.</summary>
internal sealed partial class BootedContainer
{
    private static readonly TimeSpan JournalTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs <c>sh -c COMMAND</c> inside every namespace of the container, as root in /, with a clean environment: the
    /// PATH of a root login, noninteractive debconf, and C.UTF-8 (run-parts then orders hooks by code point).
    /// </summary>
    public Task<ProcessResult> ExecAsync(string command, TimeSpan timeout) =>
        HostProcess.RunAsync("nsenter",
        [
            "--target", InitPid.ToString(CultureInfo.InvariantCulture), "--all", "--root", "--wd",
            "env", "-i",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "DEBIAN_FRONTEND=noninteractive",
            "LANG=C.UTF-8",
            "HOME=/root",
            "TERM=dumb",
            "sh", "-c", command,
        ], timeout);

    /// <summary>Runs a command and throws with its output unless it exits 0.</summary>
    public async Task<ProcessResult> ExecCheckedAsync(string command, TimeSpan timeout)
    {
        var result = await ExecAsync(command, timeout).ConfigureAwait(false);
        return result.ExitCode == 0
            ? result
            : throw new InvalidOperationException($"{Name}: '{command}' failed: {result}");
    }

    /// <summary>Copies a host file into the container's root filesystem.</summary>
    public void CopyIn(string hostPath, string containerPath) => _root.CopyIn(hostPath, containerPath);

    /// <summary>This boot's journal, or why it could not be read.</summary>
    public async Task<string> JournalAsync()
    {
        try
        {
            var result = await ExecAsync("journalctl -b --no-pager -o short-precise", JournalTimeout).ConfigureAwait(false);
            return result.Output;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            return $"(journal not readable: {e.Message})";
        }
    }
}
