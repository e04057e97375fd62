namespace Dkms.Package.Tests.Infrastructure;

/// <summary>Every await in these tests is bounded.</summary>
internal static class TaskTimeouts
{
    public static Task<T> WithTimeout<T>(this Task<T> task, TimeSpan timeout) => task.WaitAsync(timeout);

    public static Task WithTimeout(this Task task, TimeSpan timeout) => task.WaitAsync(timeout);
}
