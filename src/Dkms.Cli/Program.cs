using Dkms.Cli.Commands;

// dkmsctl: dkms's command line over the dkmsd engine. Under the name "dkms" (a symlink) it is a drop-in for dkms.
// The name it was started under: /proc/self/cmdline keeps a symlink's name, which .NET's argv[0] does not.
var invokedAs = File.ReadAllText("/proc/self/cmdline").Split('\0')[0];
var program = Path.GetFileName(invokedAs) is "dkms" ? "dkms" : "dkmsctl";

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
var stderr = new StreamWriter(Console.OpenStandardError()) { AutoFlush = false };
try
{
    return await new CommandDispatcher(stdout, stderr, program).RunAsync(args, cancel.Token);
}
catch (OperationCanceledException)
{
    await stderr.WriteLineAsync("Interrupted.");
    return 130;
}
finally
{
    await stdout.FlushAsync();
    await stderr.FlushAsync();
}
