; Inno Setup 6 script: wraps the one-folder app (dist\RetroMLTrainer\, from build.spec) into one
; installer .exe with a Start-menu entry, an optional desktop icon and an uninstaller.
;   iscc packaging\installer.iss /DAppVersion=0.1.0
; Output: dist\RetroMLTrainer-Setup-<version>.exe. Per-user install by default (no admin rights);
; the user's experiments, videos and settings (%LOCALAPPDATA%\RetroMLTrainer) are kept on uninstall.
; The window needs the Microsoft Edge WebView2 runtime (part of Windows 11 and of up-to-date
; Windows 10): see packaging\README.md.

#define AppName "Retro ML Trainer"
#define AppExe "RetroMLTrainer.exe"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6B7C1E2A-5D4F-4C7B-9E3A-2F8D1B6C4A90}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Retro ML Trainer
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=RetroMLTrainer-Setup-{#AppVersion}
SetupIconFile=retro_ml.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
LZMANumBlockThreads=4
WizardStyle=modern
; a running copy holds its files: let Setup ask to close it (Restart Manager)
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\dist\RetroMLTrainer\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Watch an AI learn an Atari game"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; files the app itself may leave beside the program (none by design); user data stays
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
