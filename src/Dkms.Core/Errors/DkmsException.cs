namespace Dkms.Core.Errors;

/// <summary>
/// A failure with dkms's exit code and message lines (the first is printed after <c>Error! </c>).
/// </summary>
/// <remarks>Core throws only this type for expected failures; hosts map <see cref="Kind"/> and
/// <see cref="ExitCode"/> to their edge (process exit code, gRPC status).</remarks>
public sealed class DkmsException : Exception
{
    public DkmsException(DkmsErrorKind kind, int exitCode, params string[] lines)
        : base(string.Join(Environment.NewLine, lines))
    {
        Kind = kind;
        ExitCode = exitCode;
        Lines = lines;
    }

    public DkmsException() : this(DkmsErrorKind.FailedPrecondition, DkmsExitCode.Failure, "Unknown error.")
    {
    }

    public DkmsException(string message) : this(DkmsErrorKind.FailedPrecondition, DkmsExitCode.Failure, message)
    {
    }

    public DkmsException(string message, Exception innerException) : base(message, innerException)
    {
        Kind = DkmsErrorKind.FailedPrecondition;
        ExitCode = DkmsExitCode.Failure;
        Lines = [message];
    }

    /// <summary>The failure class, for hosts that are not a shell.</summary>
    public DkmsErrorKind Kind { get; }

    /// <summary>The exit code dkms gives for this failure.</summary>
    public int ExitCode { get; }

    /// <summary>The message, one entry per line, without the <c>Error! </c> prefix.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>When true the message is a warning (<c>Warning: </c>), as dkms's <c>diewarn</c>.</summary>
    public bool IsWarning { get; init; }

    /// <summary>When true the message lines were already printed where they happened.</summary>
    public bool AlreadyReported { get; set; }
}
