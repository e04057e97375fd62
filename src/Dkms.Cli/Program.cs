using System.Runtime.InteropServices;
using Dkms.Cli.Commands;

// dkmsctl: dkms's command line over the dkmsd engine. Under the name "dkms" (a symlink) it is a drop-in for dkms.
// The name it was started under: /proc/self/cmdline keeps a symlink's name, which .NET's argv[0] does not.
var invokedAs = File.ReadAllText("/proc/self/cmdline").Split('\0')[0];
var program = Path.GetFileName(invokedAs) is "dkms" ? "dkms" : "dkmsctl";

// INT, TERM and HUP cancel the run: the build's process group (its own session) is stopped with it.
using var cancel = new CancellationTokenSource();
var signal = 0;
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    signal = context.Signal switch { PosixSignal.SIGHUP => 1, PosixSignal.SIGINT => 2, _ => 15 };
    cancel.Cancel();
}

using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);

var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
var stderr = new StreamWriter(Console.OpenStandardError()) { AutoFlush = false };
try
{
    return await new CommandDispatcher(stdout, stderr, program, invokedAs).RunAsync(args, cancel.Token);
}
catch (OperationCanceledException)
{
    await stderr.WriteLineAsync("Interrupted.");
    return 128 + signal;
}
finally
{
    await stdout.FlushAsync();
    await stderr.FlushAsync();
}
