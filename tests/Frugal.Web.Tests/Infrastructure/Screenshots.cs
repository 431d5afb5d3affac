using Microsoft.Playwright;

namespace Frugal.Web.Tests.Infrastructure;

/// <summary>Saves screenshots as test artifacts under the test output (bin/.../screenshots).</summary>
public static class Screenshots
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task<string> SaveAsync(IPage page, string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = false });
        return path;
    }
}
