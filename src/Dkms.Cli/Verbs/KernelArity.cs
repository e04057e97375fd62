namespace Dkms.Cli.Verbs;

/// <summary>How many <c>-k</c> a verb takes.</summary>
internal enum KernelArity
{
    Any,

    /// <summary>At most one (<c>autoinstall</c>, <c>match</c>): more is dkms's exit 4.</summary>
    AtMostOne,

    /// <summary>Exactly one (the <c>kernel_*</c> hooks): none or more is dkms's exit 4.</summary>
    ExactlyOne,
}
