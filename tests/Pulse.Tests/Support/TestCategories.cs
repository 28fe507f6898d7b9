using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace Pulse.Tests.Support;

/// <summary>
/// The NUnit categories that split the suite. The fast run leaves both out:
/// <c>dotnet test --filter "TestCategory!=Browser&amp;TestCategory!=Process"</c>; plain <c>dotnet test</c>
/// runs everything. A fixture or test that starts Chromium or another process must carry the
/// category, which <see cref="Require"/> checks where those are started.
/// </summary>
public static class TestCategories
{
    /// <summary>Drives Chromium (<see cref="Browser.LaunchAsync"/>).</summary>
    public const string Browser = "Browser";

    /// <summary>Starts another process: the API or its CLI (<see cref="ApiProcess"/>), a shell, curl.</summary>
    public const string Process = "Process";

    /// <summary>Throws unless the running test, or a fixture around it, carries <paramref name="category"/>.</summary>
    public static void Require(string category)
    {
        var current = TestExecutionContext.CurrentContext.CurrentTest;
        for (ITest? test = current; test is not null; test = test.Parent)
        {
            if (test.Properties[PropertyNames.Category].Contains(category))
                return;
        }
        throw new InvalidOperationException(
            $"{current.FullName} starts what the '{category}' category stands for but does not carry it: add [Category(TestCategories.{category})] " +
            "to the fixture (or to the test), so the fast run (README) leaves it out.");
    }
}
