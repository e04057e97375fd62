using Dkms.Core.Errors;

namespace Dkms.Core.Validation;

/// <summary>Checks module names, versions and kernel versions before they become path components.</summary>
public static class NameValidator
{
    /// <summary>Returns null when <paramref name="value"/> is a safe single path component, else why not.</summary>
    public static string? Problem(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is empty";
        }

        if (value.Length > 255)
        {
            return "is longer than 255 characters";
        }

        if (value.Contains('/', StringComparison.Ordinal))
        {
            return "contains '/'";
        }

        if (value.Contains("..", StringComparison.Ordinal) || value == ".")
        {
            return "contains '..' or is '.'";
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return "contains a control character";
            }

            if (char.IsWhiteSpace(c))
            {
                return "contains white space";
            }
        }

        return value[0] == '-' ? "begins with '-'" : null;
    }

    /// <summary>Throws dkms-style (exit 1, invalid argument) when the value is not a safe name.</summary>
    public static string Require(string? value, string what)
    {
        var problem = Problem(value);
        if (problem is not null)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, DkmsExitCode.Failure,
                $"Invalid {what} '{Printable(value)}': it {problem}.");
        }

        return value!;
    }

    /// <summary>The value with control characters escaped, safe to print.</summary>
    public static string Printable(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        var sb = new System.Text.StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
