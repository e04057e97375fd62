namespace Dkms.Core.Errors;

/// <summary>What kind of failure a <see cref="DkmsException"/> is; hosts map it to their own status codes.</summary>
public enum DkmsErrorKind
{
    /// <summary>The request itself is malformed (bad option, bad name).</summary>
    InvalidArgument,
    /// <summary>A module, version, kernel, file or directory the request names does not exist.</summary>
    NotFound,
    /// <summary>The thing to create exists already.</summary>
    AlreadyExists,
    /// <summary>The tree or the system is not in a state that allows the action.</summary>
    FailedPrecondition,
    /// <summary>The caller lacks the rights for the action.</summary>
    PermissionDenied,
    /// <summary>A dkms.conf or framework.conf is invalid or could not be evaluated.</summary>
    BadConfiguration,
    /// <summary>An external step (patch, make, script, depmod, copy) failed.</summary>
    ExternalFailure,
    /// <summary>BUILD_EXCLUSIVE excludes this kernel/arch (dkms's exit 77).</summary>
    Excluded,
    /// <summary>The operation was cancelled or timed out.</summary>
    Cancelled,
}
