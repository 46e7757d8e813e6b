export { accountTokenPath, loadAccount, removeAccount, saveAccount, type StoredAccount } from "./token-file.js";
export { DeviceLoginError, deviceLogin, type DeviceLoginIo } from "./device-login.js";
export { fetchDeviceEarnings, type DeviceEarningsView } from "./earnings.js";
