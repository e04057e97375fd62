namespace Dkms.Core.Actions;

/// <summary>A kernel release and architecture an action applies to (<c>-k k/a</c>).</summary>
public sealed record KernelTarget(string Kernel, string Arch)
{
    public override string ToString() => $"{Kernel} ({Arch})";
}
