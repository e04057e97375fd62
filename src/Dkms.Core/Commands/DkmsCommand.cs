namespace Dkms.Core.Commands;

/// <summary>
/// One dkms command as the hosts pass it around: dkmsctl builds it from argv, dkmsd from a request, and
/// <see cref="CommandRunner"/> runs it. Names and kernels are kept as given; they are validated, and empty
/// kernels resolved, where the command runs (<see cref="TargetSpec"/>), so a bad one fails as dkms's does.
/// </summary>
public abstract record DkmsCommand(CommandOptions Options)
{
    public abstract DkmsAction Kind { get; }
}
