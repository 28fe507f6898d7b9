using System.Runtime.InteropServices;

namespace Pulse.Bench;

/// <summary>What the numbers were measured on.</summary>
sealed record Machine(int Cores, string Memory, string Os, string Cpu, string Runtime)
{
    public static Machine Describe()
    {
        var memKb = ReadField("/proc/meminfo", "MemTotal:");
        var memory = long.TryParse(memKb?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out var kb)
            ? $"{kb / 1024.0 / 1024.0:F1} GiB" : "unknown";
        var os = ReadField("/etc/os-release", "PRETTY_NAME=")?.Trim('"') ?? RuntimeInformation.OSDescription;
        var cpu = ReadField("/proc/cpuinfo", "model name")?.TrimStart(':', ' ', '\t') ?? RuntimeInformation.ProcessArchitecture.ToString();
        return new Machine(Environment.ProcessorCount, memory, os, cpu, RuntimeInformation.FrameworkDescription);
    }

    static string? ReadField(string file, string prefix)
    {
        try
        {
            return File.ReadLines(file).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
