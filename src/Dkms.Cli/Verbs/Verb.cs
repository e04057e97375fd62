using Dkms.Cli.CommandLine;
using Dkms.Core.Commands;

namespace Dkms.Cli.Verbs;

/// <summary>One verb of dkmsctl's grammar and everything dkms's checks and the dispatcher need to know about it.</summary>
/// <param name="Name">The action word.</param>
/// <param name="Kernels">How many <c>-k</c> it takes.</param>
/// <param name="AllowsAll">False when <c>--all</c> is dkms's exit 5 for it.</param>
/// <param name="DaemonOnly">Only dkmsd can answer it (jobs, logs, ...): never in-process.</param>
/// <param name="ToCommand">The command it runs; null for <c>status</c> (a read) and the daemon's own verbs.</param>
/// <param name="Help">One line for the man page.</param>
internal sealed record Verb(string Name, KernelArity Kernels, bool AllowsAll, bool DaemonOnly, Func<DkmsArguments, DkmsCommand>? ToCommand, string Help);
