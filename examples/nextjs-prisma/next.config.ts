import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The handlers answer every error themselves (the Error envelope); nothing else to configure.
};

export default nextConfig;
