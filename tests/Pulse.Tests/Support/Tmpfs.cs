using System.Diagnostics;

namespace Pulse.Tests.Support;

/// <summary>A small tmpfs for tests of a full disk: mounting needs root with CAP_SYS_ADMIN, so callers skip when it fails.</summary>
public static class Tmpfs
{
    /// <summary>Mounts a tmpfs of <paramref name="size"/> (e.g. <c>16m</c>, mode 0700) at <paramref name="path"/>; false with mount's message when not allowed.</summary>
    public static Task<(bool Ok, string Error)> MountAsync(string path, string size) =>
        RunAsync("mount", "-t", "tmpfs", "-o", $"size={size},mode=0700", "pulse-test", path);

    /// <summary>Detaches the mount even while something still holds a file on it.</summary>
    public static Task<(bool Ok, string Error)> UnmountAsync(string path) => RunAsync("umount", "-l", path);

    static async Task<(bool Ok, string Error)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(info)!;
            var error = await p.StandardError.ReadToEndAsync();
            await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            return (p.ExitCode == 0, error);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (false, ex.Message);
        }
    }
}
