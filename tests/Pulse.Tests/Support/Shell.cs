using System.Diagnostics;

namespace Pulse.Tests.Support;

/// <summary>Runs a program to its end (the build, bash, curl); only from tests in the Process category.</summary>
public static class Shell
{
    /// <summary>Exit code and everything the program printed (standard output, then standard error).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> args,
        string? workingDirectory = null, IDictionary<string, string>? environment = null, string? input = null,
        Func<string, bool>? unsetEnvironment = null)
    {
        TestCategories.Require(TestCategories.Process);
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        if (unsetEnvironment is not null)
            foreach (var name in info.Environment.Keys.Where(unsetEnvironment).ToList())
                info.Environment.Remove(name);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
