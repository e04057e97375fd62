using System.Runtime.InteropServices;

namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>kill(2), for sending SIGTERM to a process under test.</summary>
internal static partial class Signals
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;
}
