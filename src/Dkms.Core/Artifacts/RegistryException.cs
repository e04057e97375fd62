namespace Dkms.Core.Artifacts;

/// <summary>The registry could not be used for this artifact (down, slow, wrong, or lying): the caller builds locally.</summary>
public sealed class RegistryException : Exception
{
    public RegistryException(string message)
        : base(message)
    {
    }

    public RegistryException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public RegistryException()
    {
    }
}
